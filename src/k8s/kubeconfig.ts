// The one place a KubeConfig is loaded.
import { KubeConfig } from "@kubernetes/client-node";

/** From the given kubeconfig file, else in-cluster credentials, else the default locations. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}
