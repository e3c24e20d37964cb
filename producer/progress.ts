/**
 * A progress bar on stderr for long CLI work (stdout stays clean for --json). On a terminal it
 * redraws one line; elsewhere it prints a line only when the text changes.
 */
export function progressBar(label: string, total: number) {
  const tty = process.stderr.isTTY;
  let last = '';
  return {
    update(done: number, detail = '') {
      const width = 24;
      const filled = Math.round((Math.min(done, total) / Math.max(total, 1)) * width);
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail}`;
      if (line === last) return;
      last = line;
      if (tty) process.stderr.write(`\r${line.padEnd(90)}`);
      else process.stderr.write(line + '\n');
    },
    done() {
      if (tty && last) process.stderr.write('\n');
    },
  };
}
