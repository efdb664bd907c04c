// Starts one real local control plane for the whole integration run and stops it afterwards,
// also when tests fail. Tests reach it through `inject("controlPlane")`.
import type { TestProject } from "vitest/node";
import { LocalControlPlane } from "../../src/devenv/controlplane.ts";
import type { ControlPlaneInfo } from "../../src/devenv/identities.ts";

declare module "vitest" {
  export interface ProvidedContext {
    controlPlane: ControlPlaneInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (message: string): boolean => process.stderr.write(`[controlplane] ${message}\n`);
  const controlPlane = await LocalControlPlane.start({ log });
  project.provide("controlPlane", controlPlane.info);
  return async () => {
    await controlPlane.stop();
    log("stopped");
  };
}
