// A progress bar on stderr for the command line's long work (translating or diffing every proxy of a mesh), drawn
// only when stderr is a terminal (or MESHPLAN_PROGRESS=1), so pipes and files get the answer alone.

export type Progress = (done: number, total: number) => void;

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr, env = process.env): Progress | undefined {
  if (!(stream.isTTY || env.MESHPLAN_PROGRESS === '1')) return undefined;
  const width = 30;
  let last = -1;
  return (done, total) => {
    const filled = total === 0 ? width : Math.round((done / total) * width);
    if (filled === last && done !== total) return;
    last = filled;
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
  };
}
