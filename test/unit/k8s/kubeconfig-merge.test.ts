// KUBECONFIG lists merged as kubectl merges them: the first file to set something wins.
import { describe, expect, it } from "vitest";
import {
  kubeconfigPaths,
  mergedCurrentContext,
  pathFromEntry,
  type KubeconfigDocument,
} from "../../../src/k8s/kubeconfig-merge.ts";

const doc = (
  file: string,
  value: KubeconfigDocument,
): { file: string; value: KubeconfigDocument } => ({
  file,
  value,
});

describe("kubeconfigPaths", () => {
  it.each([
    ["/a", ["/a"]],
    ["/a:/b", ["/a", "/b"]],
    ["/a::/b:", ["/a", "/b"]],
    ["", []],
  ])("%j → %j", (value, paths) => {
    expect(kubeconfigPaths(value)).toEqual(paths);
  });
});

describe("mergedCurrentContext", () => {
  const cluster = (server: string) => ({ server });
  it("takes the first current-context set, and each name from the first file holding it", () => {
    const merged = mergedCurrentContext([
      doc("/one", { users: [{ name: "u", user: { token: "first" } }] }),
      doc("/two", {
        "current-context": "c",
        contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
        clusters: [{ name: "k", cluster: cluster("https://two") }],
        users: [{ name: "u", user: { token: "second" } }],
      }),
      doc("/three", {
        "current-context": "other",
        contexts: [{ name: "c", context: { cluster: "x", user: "x" } }],
        clusters: [{ name: "k", cluster: cluster("https://three") }],
      }),
    ]);
    expect(merged).toEqual({
      file: "/two",
      cluster: { value: { server: "https://two" }, file: "/two" },
      user: { value: { token: "first" }, file: "/one" },
    });
  });

  it.each<[string, KubeconfigDocument[], string | undefined, object | undefined]>([
    ["no current context anywhere", [{ contexts: [] }], undefined, undefined],
    ["a current context that is not defined", [{ "current-context": "gone" }], "/f0", undefined],
    [
      "a context without a user: anonymous",
      [
        {
          "current-context": "c",
          contexts: [{ name: "c", context: { cluster: "k" } }],
          clusters: [{ name: "k", cluster: cluster("https://k") }],
        },
      ],
      "/f0",
      { value: {}, file: "/f0" },
    ],
  ])("%s", (_name, documents, file, user) => {
    const merged = mergedCurrentContext(documents.map((value, i) => doc(`/f${i}`, value)));
    expect(merged?.file).toBe(file);
    if (user !== undefined) expect(merged?.user).toEqual(user);
    if (file !== undefined && user === undefined) expect(merged?.cluster).toBeUndefined();
  });
});

describe("pathFromEntry", () => {
  it.each([
    ["ca.crt", "/etc/kube/config", "/etc/kube/ca.crt"],
    ["../ca.crt", "/etc/kube/config", "/etc/ca.crt"],
    ["/abs/ca.crt", "/etc/kube/config", "/abs/ca.crt"],
    [undefined, "/etc/kube/config", undefined],
  ])("%s in %s → %s", (path, file, resolved) => {
    expect(pathFromEntry(path, file)).toBe(resolved);
  });
});
