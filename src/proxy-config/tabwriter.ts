// Go's text/tabwriter as istioctl sets it up (padchar ' ', no flags): cells end at '\t', a column's width
// is its widest cell plus padding within each block of consecutive lines that have that column, and the
// last cell of a line is never padded. istioctl's tables are this writer's output, so ours are too.

export interface TabWriterOptions {
  minwidth: number;
  padding: number;
}

/** The writers' two set-ups: Init(w, 0, 8, 5, ' ', 0) for most tables, Init(w, 0, 8, 1, ' ', 0) for listeners and bootstrap. */
export const TABLE: TabWriterOptions = { minwidth: 0, padding: 5 };
export const NARROW: TabWriterOptions = { minwidth: 0, padding: 1 };

const width = (cell: string): number => [...cell].length;

/** The text tabwriter prints for `text` (lines written with '\t' between cells), flushed. */
export function tabwrite(text: string, { minwidth, padding }: TabWriterOptions): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  // The part after the last newline is an unterminated line: printed without a newline, and without
  // cells when empty, as tabwriter's buffer holds it at Flush.
  const partial = lines[lines.length - 1];
  if (partial.length === 1 && partial[0] === '') lines[lines.length - 1] = [];
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i];
      let s = '';
      cells.forEach((cell, j) => {
        s += cell;
        if (j < widths.length) s += ' '.repeat(Math.max(0, widths[j] - width(cell)));
      });
      out.push(i + 1 === lines.length ? s : `${s}\n`);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current].length - 1) continue;
      writeLines(line0, current);
      line0 = current;
      let w = minwidth;
      for (; current < line1 && column < lines[current].length - 1; current++) {
        w = Math.max(w, width(lines[current][column]) + padding);
      }
      widths.push(w);
      format(line0, current);
      widths.pop();
      // The line that ended the block lacks this column: the loop's increment passes it, as Go's does.
      line0 = current;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('');
}

