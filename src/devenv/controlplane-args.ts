// Command-line flags of the local control plane's processes: etcd, kube-apiserver and
// kube-controller-manager.
import { join } from "node:path";
import type { PkiFiles } from "./controlplane-pki.ts";

export function etcdArgs(dir: string, port: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    "--name=local",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=local=${peer}`,
    // Test data is disposable: skipping fsync makes etcd fast on shared disks.
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
}

export function apiserverArgs(
  files: PkiFiles,
  etcdPort: number,
  port: number,
  tokenWebhook: { cacheTtl: string; version: "v1" | "v1beta1" },
): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    `--tls-cert-file=${files.servingCert}`,
    `--tls-private-key-file=${files.servingKey}`,
    `--client-ca-file=${files.caCert}`,
    `--service-account-key-file=${files.saPublic}`,
    `--service-account-signing-key-file=${files.saPrivate}`,
    "--service-account-issuer=https://kubernetes.default.svc",
    "--service-cluster-ip-range=10.96.0.0/16",
    // No node or Service network here: the "kubernetes" Endpoints would point at loopback.
    "--endpoint-reconciler-type=none",
    `--authentication-token-webhook-config-file=${files.tokenWebhookKubeconfig}`,
    `--authentication-token-webhook-version=${tokenWebhook.version}`,
    `--authentication-token-webhook-cache-ttl=${tokenWebhook.cacheTtl}`,
    `--admission-control-config-file=${files.admissionConfig}`,
    "--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,MutatingAdmissionWebhook,ValidatingAdmissionWebhook",
    "--profiling=false",
    "--v=1",
  ];
}

export function controllerManagerArgs(kubeconfig: string, port: number, files: PkiFiles): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    "--leader-elect=false",
    // Garbage collection (owner references) and namespace deletion are what we rely on; the
    // service-account controller gives each namespace its `default` ServiceAccount, and
    // aggregation fills the built-in view/edit/admin roles the role groups are bound to.
    "--controllers=garbagecollector,namespace,serviceaccount,serviceaccount-token,clusterrole-aggregation",
    `--service-account-private-key-file=${files.saPrivate}`,
    `--root-ca-file=${files.caCert}`,
    // Each controller acts as its own ServiceAccount (…:generic-garbage-collector,
    // …:namespace-controller), as on real clusters, so admission sees who really deletes.
    "--use-service-account-credentials=true",
    "--profiling=false",
    "--v=1",
  ];
}
