#!/usr/bin/env node
// `radar` command: loads TypeScript through tsx's loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: a connection a library keeps open must not keep a finished command alive.
process.exit(code);
