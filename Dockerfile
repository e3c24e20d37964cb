# One image for every arxiv-radar process; the command picks the role.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --include=dev && npm cache clean --force
COPY . .
RUN npm run -s db:generate
ARG GIT_COMMIT=unknown
ENV GIT_COMMIT=${GIT_COMMIT}
CMD ["npm", "run", "start:workers"]
