// Debian's nginx as a test gateway: a configuration in a temporary directory, a free loopback
// port, no daemon and no root (pid, logs and temp paths all under that directory).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "./cluster.ts";

/** A running nginx; `url` is its plain-HTTP address on loopback. */
export interface Nginx {
  url: string;
  dir: string;
  /** What nginx wrote to stderr (its error log), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** The `http {}` block's contents for a server on `port`; `dir` holds files it may write. */
export type NginxServers = (listen: string, dir: string) => string;

/** Debian's nginx (root's PATH has /usr/sbin; others may not), else whatever PATH finds. */
const NGINX = existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
    server.once("error", reject);
  });
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Starts nginx in the foreground with `servers` and waits until it accepts connections. */
export async function startNginx(servers: NginxServers): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), "svctokens-nginx-"));
  const port = await freePort();
  const config = `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${servers(`127.0.0.1:${port}`, dir)}
}
`;
  await writeFile(join(dir, "nginx.conf"), config);
  let stderr = "";
  const child: ChildProcess = spawn(
    NGINX,
    ["-p", dir, "-e", "stderr", "-c", join(dir, "nginx.conf")],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.once("error", (error) => {
    stderr += `${error.message}: is nginx installed? (apt-get install -y nginx, as .ci/run does)`;
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      `nginx to listen on ${port}`,
      async () => {
        if (child.exitCode !== null || stderr.includes("emerg")) {
          throw new Error(`nginx did not start: ${stderr}`);
        }
        return (await accepts(port)) ? true : undefined;
      },
      10_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, dir, log: () => stderr, stop };
}
