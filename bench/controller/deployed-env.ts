// The environment deploy/manifests gives the controller's container that changes how node and
// glibc run (MALLOC_*), read from the manifest so that the benches run the controller as
// deployed and cannot drift from it.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

interface EnvVar {
  name: string;
  value?: string;
}

interface Manifest {
  kind?: string;
  spec?: { template?: { spec?: { containers?: { name: string; env?: EnvVar[] }[] } } };
}

/** The controller container's literal MALLOC_* variables in deploy/manifests/controller.yaml. */
export function deployedControllerMallocEnv(): Record<string, string> {
  const path = new URL("../../deploy/manifests/controller.yaml", import.meta.url);
  const documents = parseAllDocuments(readFileSync(path, "utf8")).map(
    (document) => document.toJS() as Manifest | null,
  );
  const deployment = documents.find((document) => document?.kind === "Deployment");
  const container = deployment?.spec?.template?.spec?.containers?.find(
    (candidate) => candidate.name === "controller",
  );
  if (container === undefined) throw new Error(`${path.pathname}: no controller container`);
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.name.startsWith("MALLOC_") && variable.value !== undefined) {
      env[variable.name] = variable.value;
    }
  }
  return env;
}
