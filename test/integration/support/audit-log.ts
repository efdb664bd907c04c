// Reading kube-apiserver's audit log (JSON lines) of the shared control plane.
import { readFile } from "node:fs/promises";
import { controlPlane } from "./cluster.ts";

/** The fields of an audit.k8s.io/v1 Event that the tests look at. */
export interface AuditEvent {
  level: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  responseStatus?: { code?: number };
  annotations?: Record<string, string>;
}

/** Every event written so far. */
export async function auditEvents(): Promise<AuditEvent[]> {
  const text = await readFile(controlPlane().auditLogPath, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as AuditEvent);
}
