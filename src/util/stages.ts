// Durations of the engine's stages (parse, index, xds, trace) for the service's metrics. The engine
// reports to whoever listens (the worker thread that runs it); with no listener it only runs the work.

export type Stage = 'parse' | 'index' | 'xds' | 'trace';

let observer: ((stage: Stage, seconds: number) => void) | undefined;

export function observeStages(listener: ((stage: Stage, seconds: number) => void) | undefined): void {
  observer = listener;
}

export function timeStage<T>(stage: Stage, work: () => T): T {
  if (!observer) return work();
  const start = performance.now();
  try {
    return work();
  } finally {
    observer(stage, (performance.now() - start) / 1000);
  }
}
