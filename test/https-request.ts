// One HTTPS request from a test, its answer read whole: the one client under the unit harness,
// the fuzzer and the integration tests' calls to the webhook service.
import type { IncomingHttpHeaders } from "node:http";
import { request, type RequestOptions } from "node:https";

/** A whole HTTPS answer. */
export interface HttpsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The serving certificate's fingerprint, to see reloads. */
  certFingerprint: string | undefined;
}

/**
 * Sends `body` (with its Content-Length) to `url` and reads the whole answer; with `timeoutMs`,
 * a silent server fails the request instead of hanging the test.
 */
export function httpsRequest(
  url: string,
  options: RequestOptions & { body?: string | Buffer; timeoutMs?: number },
): Promise<HttpsAnswer> {
  const { body, timeoutMs, headers, ...rest } = options;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ...rest,
        ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
        headers: {
          ...(body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (res) => {
        const socket = res.socket as { getPeerCertificate?: () => { fingerprint256?: string } };
        const certFingerprint = socket.getPeerCertificate?.().fingerprint256;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
            certFingerprint,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
