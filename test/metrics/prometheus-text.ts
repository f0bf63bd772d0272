// A strict reader of the Prometheus text exposition format (version 0.0.4): every line is a HELP, a TYPE, a
// comment or a sample `name{label="value",…} number`; every sample belongs to a family with a TYPE declared
// before it. Throws naming the first line that is not valid, so a test failing here says what is wrong.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The value of the one sample with exactly these labels (0 when absent, as Prometheus treats a new series). */
  value(name: string, labels?: Record<string, string>): number;
  /** Every sample of `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const fail = (why: string) => {
      throw new Error(`line ${i + 1} is not Prometheus text (${why}): ${JSON.stringify(line)}`);
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // a plain comment
      if (!NAME.test(m[2]!)) fail('bad metric name');
      if (m[1] === 'TYPE') {
        if (!TYPES.has(m[3] ?? '')) fail('unknown type');
        if (types.has(m[2]!)) fail('TYPE given twice');
        types.set(m[2]!, m[3]!);
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
    if (!m) return fail('not a sample');
    const labels: Record<string, string> = {};
    let rest = m[3] ?? '';
    while (rest.trim() !== '') {
      const l = LABEL.exec(rest);
      if (!l) return fail('bad label');
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = rest.slice(l[0].length);
    }
    const raw = m[4]!;
    // Go's ParseFloat, which Prometheus uses, reads NaN and Inf in any case (prom-client's aggregator writes "Nan").
    const lower = raw.toLowerCase();
    const value = lower === '+inf' || lower === 'inf' ? Infinity : lower === '-inf' ? -Infinity : lower === 'nan' ? NaN : Number(raw);
    if (Number.isNaN(value) && lower !== 'nan') fail('value is not a number');
    const name = m[1]!;
    const family = [name, name.replace(/_(bucket|sum|count|total)$/, ''), name.replace(/_(bucket|sum|count)$/, '')].find((n) => types.has(n));
    if (!family) fail('sample without a TYPE for its family');
    samples.push({ name, labels, value });
  });
  const matches = (s: Sample, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    types,
    samples,
    find: (name, labels = {}) => samples.filter((s) => s.name === name && matches(s, labels)),
    value(name, labels = {}) {
      const exact = samples.filter((s) => s.name === name && matches(s, labels) && Object.keys(s.labels).length === Object.keys(labels).length);
      if (exact.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${exact.length} samples`);
      return exact[0]?.value ?? 0;
    },
  };
}
