// Reading and writing svctokens objects and Secrets as a given identity, as raw JSON.
import { KubeRest, PATCH } from "../../../src/k8s/rest.ts";
import { EVENTS, SECRETS, resourcePath } from "../../../src/k8s/paths.ts";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { SERVICE_TOKENS, SERVICE_USERS } from "../../../src/api/index.ts";
import { isNotFound } from "../../../src/k8s/errors.ts";
import { controlPlane, eventually, kubeConfigFrom } from "./cluster.ts";

/** A svctokens object as tests see it. */
export interface TestObject extends KubeObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & {
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

/** API access as the user of `kubeconfig` (the cluster admin by default). */
export class Api {
  readonly rest: KubeRest;

  constructor(kubeconfig: string = controlPlane().adminKubeconfig) {
    this.rest = new KubeRest(kubeConfigFrom(kubeconfig));
  }

  async createUser(name: string, spec: Record<string, unknown>): Promise<TestObject> {
    return this.rest.request("POST", resourcePath(SERVICE_USERS), {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceUser",
      metadata: { name },
      spec,
    });
  }

  async createToken(
    namespace: string,
    name: string,
    spec: Record<string, unknown>,
  ): Promise<TestObject> {
    return this.rest.request("POST", resourcePath(SERVICE_TOKENS, { namespace }), {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceToken",
      metadata: { name, namespace },
      spec,
    });
  }

  async token(namespace: string, name: string): Promise<TestObject | undefined> {
    return this.#get(resourcePath(SERVICE_TOKENS, { namespace, name }));
  }

  async user(name: string): Promise<TestObject | undefined> {
    return this.#get(resourcePath(SERVICE_USERS, { name }));
  }

  async secret(namespace: string, name: string): Promise<TestObject | undefined> {
    return this.#get(resourcePath(SECRETS, { namespace, name }));
  }

  async patchToken(
    namespace: string,
    name: string,
    spec: Record<string, unknown>,
  ): Promise<TestObject> {
    return this.rest.request(
      "PATCH",
      resourcePath(SERVICE_TOKENS, { namespace, name }),
      { spec },
      PATCH.merge,
    );
  }

  async patchUser(name: string, spec: Record<string, unknown>): Promise<TestObject> {
    return this.rest.request("PATCH", resourcePath(SERVICE_USERS, { name }), { spec }, PATCH.merge);
  }

  async delete(path: string): Promise<void> {
    await this.rest.request("DELETE", path).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }

  /** Waits until the token's status satisfies `check`; returns the token. */
  async tokenWhere(
    namespace: string,
    name: string,
    what: string,
    check: (token: TestObject) => boolean,
    timeoutMs = 30_000,
  ): Promise<TestObject> {
    return eventually(
      `ServiceToken ${namespace}/${name}: ${what}`,
      async () => {
        const token = await this.token(namespace, name);
        return token && check(token) ? token : undefined;
      },
      timeoutMs,
    );
  }

  /** Waits for an Event `reason` (of `type`, if given) about the object `name`; returns it. */
  async eventAbout(
    namespace: string,
    name: string,
    reason: string,
    type?: "Normal" | "Warning",
  ): Promise<ObjectEvent> {
    return eventually(`a ${reason} Event for ${namespace}/${name}`, async () => {
      const events = await this.events(namespace);
      return events.find(
        (e) =>
          e.reason === reason &&
          (type === undefined || e.type === type) &&
          e.regarding.name === name,
      );
    });
  }

  /** The Events (events.k8s.io) in a namespace. */
  async events(namespace: string): Promise<ObjectEvent[]> {
    const list = await this.rest.request<{ items: ObjectEvent[] }>(
      "GET",
      resourcePath(EVENTS, { namespace }),
    );
    return list.items;
  }

  async #get(path: string): Promise<TestObject | undefined> {
    try {
      return await this.rest.request<TestObject>("GET", path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

/** The fields of an events.k8s.io Event the tests read. */
export interface ObjectEvent {
  reason: string;
  type: string;
  note?: string;
  regarding: { kind?: string; name: string };
}

/** Decodes one key of a Secret's data. */
export function secretValue(secret: TestObject | undefined, key: string): string | undefined {
  const encoded = (secret?.data as Record<string, string> | undefined)?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString();
}

/** The Ready condition of an object, if any. */
export function readyCondition(
  object: TestObject | undefined,
): { status: string; reason: string; message: string } | undefined {
  return conditionOf(object, "Ready");
}

/** The condition types an object reports with their status, e.g. `{ Ready: "False", Stalled: "True" }`. */
export function conditionStatuses(object: TestObject | undefined): Record<string, string> {
  return Object.fromEntries(
    (object?.status?.conditions ?? []).map((condition) => [condition.type, condition.status]),
  );
}

/** One condition of an object, if present. */
export function conditionOf(
  object: TestObject | undefined,
  type: string,
): { status: string; reason: string; message: string } | undefined {
  return object?.status?.conditions?.find((condition) => condition.type === type);
}
