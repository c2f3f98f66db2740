// Istio config durations ("10s", "1.5s", "500ms", "1m30s") → proto3 JSON Duration strings
// ("10s", "1.500s"), the form Envoy's /config_dump prints.

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Nanoseconds of a Go-style duration string; undefined when it does not parse. */
export function parseDurationNanos(text: string): bigint | undefined {
  const input = text.trim();
  if (input === '0') return 0n;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0n;
  let consumed = 0;
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    const [whole, fraction = ''] = m[1].split('.');
    const unit = UNIT_NANOS[m[2]];
    const scale = 10n ** BigInt(fraction.length);
    total += (BigInt(whole || '0') * scale + BigInt(fraction || '0')) * unit / scale;
    consumed = re.lastIndex;
  }
  return consumed === input.length && consumed > 0 ? total : undefined;
}

/** proto3 JSON for a duration given in nanoseconds: whole seconds, or 3/6/9 fractional digits. */
export function nanosToJson(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const rest = nanos % 1_000_000_000n;
  if (rest === 0n) return `${seconds}s`;
  let digits = rest.toString().padStart(9, '0');
  if (digits.endsWith('000000')) digits = digits.slice(0, 3);
  else if (digits.endsWith('000')) digits = digits.slice(0, 6);
  return `${seconds}.${digits}s`;
}

/** Istio duration text → proto3 JSON; unparseable text is passed through for the validator to flag. */
export function durationJson(text: string): string {
  const nanos = parseDurationNanos(text);
  return nanos === undefined ? text : nanosToJson(nanos);
}
