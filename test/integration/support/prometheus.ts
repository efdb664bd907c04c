// Reading samples out of Prometheus text exposition.

/** One sample: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Every sample of `metric` in `text`. */
export function samplesOf(text: string, metric: string): Sample[] {
  const line = new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, "gm");
  return [...text.matchAll(line)].map((match) => ({
    labels: Object.fromEntries(
      [...(match[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""]),
    ),
    value: Number(match[2]),
  }));
}
