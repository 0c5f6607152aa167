/**
 * Progress output on stderr (stdout stays for the summary). On a terminal it is one line rewritten in
 * place; in a log file or CI it is one plain line per update, because carriage returns make logs unreadable.
 */

/** Writes progress updates and interleaves other lines (server output) without garbling them. */
export class ProgressLine {
  private current = ''
  private readonly tty: boolean

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true
  }

  /** Replaces the progress line (TTY) or prints it (otherwise). */
  update(text: string): void {
    if (!this.tty) {
      this.stream.write(`${text}\n`)
      return
    }
    this.current = text
    this.stream.write(`\r${text}\x1b[K`)
  }

  /** Prints a full line above the progress line, then redraws the progress line. */
  log(line: string): void {
    if (!this.tty || this.current === '') {
      this.stream.write(`${line}\n`)
      return
    }
    this.stream.write(`\r\x1b[K${line}\n${this.current}\x1b[K`)
  }

  /** Ends the progress line so the next output starts on a fresh line. */
  finish(): void {
    if (this.tty && this.current !== '') this.stream.write('\n')
    this.current = ''
  }
}

/** Formats an integer with thousands separators, independent of the user's locale. */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}
