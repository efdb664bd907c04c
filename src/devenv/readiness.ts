// Polling a kube-apiserver over HTTPS with admin credentials until it serves.
import { request } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";

/** TLS material for talking to the local kube-apiserver as its admin. */
export interface AdminTls {
  ca: string;
  cert: string;
  key: string;
}

/** GETs `url` and returns the status code and body (no retries). */
export async function httpsGet(
  url: string,
  tls: AdminTls,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, method: "GET", timeout: 5_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Waits until every path answers 200, in order. `stillRunning` is checked between tries so a
 * crashed process fails fast instead of running out the deadline.
 */
export async function waitForPaths(
  server: string,
  paths: string[],
  tls: AdminTls,
  deadlineMs: number,
  stillRunning: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (const path of paths) {
    let last: string;
    for (;;) {
      const crashed = stillRunning();
      if (crashed) throw new Error(crashed);
      try {
        const { status, body } = await httpsGet(`${server}${path}`, tls);
        if (status === 200) break;
        last = `HTTP ${status}: ${body.slice(0, 300)}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) throw new Error(`${server}${path} not ready: ${last}`);
      await sleep(250);
    }
  }
}
