// src/api/crd/: the CustomResourceDefinitions generated from the zod schemas.
// The two CustomResourceDefinitions, built from the zod schemas: names and scope from the
// constants, the schema from `zodToStructuralSchema`, the columns from printer-columns.ts.
// Pure: rendering and writing files live elsewhere.
import type { z } from "zod";
import {
  API_CATEGORY,
  API_GROUP,
  API_VERSION,
  SERVICE_TOKEN_KIND,
  SERVICE_TOKEN_PLURAL,
  SERVICE_TOKEN_SHORT_NAME,
  SERVICE_TOKEN_SINGULAR,
  SERVICE_USER_KIND,
  SERVICE_USER_PLURAL,
  SERVICE_USER_SHORT_NAME,
  SERVICE_USER_SINGULAR,
} from "../constants.ts";
import { NEW_OBJECT_STATUS } from "../common.ts";
import {
  ServiceTokenSchema,
  ServiceTokenSpecSchema,
  ServiceTokenStatusSchema,
} from "../service-token.ts";
import {
  ServiceUserSchema,
  ServiceUserSpecSchema,
  ServiceUserStatusSchema,
} from "../service-user.ts";
import {
  SERVICE_TOKEN_COLUMNS,
  SERVICE_USER_COLUMNS,
  type PrinterColumn,
} from "./printer-columns.ts";
import {
  UnsupportedSchemaError,
  zodToStructuralSchema,
  type StructuralSchema,
} from "./structural-schema.ts";

/** The subset of `apiextensions.k8s.io/v1` CustomResourceDefinition that svctokens writes. */
export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: "Cluster" | "Namespaced";
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: StructuralSchema };
    }[];
  };
}

interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortName: string;
  scope: "Cluster" | "Namespaced";
  /** The object schema: its description becomes the root description. */
  object: z.ZodType;
  spec: z.ZodType;
  status: z.ZodType;
  columns: PrinterColumn[];
}

const SERVICE_USER: KindDefinition = {
  kind: SERVICE_USER_KIND,
  plural: SERVICE_USER_PLURAL,
  singular: SERVICE_USER_SINGULAR,
  shortName: SERVICE_USER_SHORT_NAME,
  scope: "Cluster",
  object: ServiceUserSchema,
  spec: ServiceUserSpecSchema,
  status: ServiceUserStatusSchema,
  columns: SERVICE_USER_COLUMNS,
};

const SERVICE_TOKEN: KindDefinition = {
  kind: SERVICE_TOKEN_KIND,
  plural: SERVICE_TOKEN_PLURAL,
  singular: SERVICE_TOKEN_SINGULAR,
  shortName: SERVICE_TOKEN_SHORT_NAME,
  scope: "Namespaced",
  object: ServiceTokenSchema,
  spec: ServiceTokenSpecSchema,
  status: ServiceTokenStatusSchema,
  columns: SERVICE_TOKEN_COLUMNS,
};

/** Both CRDs, ServiceUser first (tokens refer to users). */
export function customResourceDefinitions(): CustomResourceDefinition[] {
  return [SERVICE_USER, SERVICE_TOKEN].map(customResourceDefinition);
}

function customResourceDefinition(def: KindDefinition): CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.plural}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: [def.shortName],
        categories: [API_CATEGORY],
      },
      scope: def.scope,
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.columns,
          schema: { openAPIV3Schema: rootSchema(def) },
        },
      ],
    },
  };
}

// The root is written by hand: apiVersion, kind and metadata are the API server's business
// (metadata may not carry restrictions), only spec and status come from zod.
function rootSchema(def: KindDefinition): StructuralSchema {
  if (def.object.description === undefined) {
    throw new UnsupportedSchemaError(`${def.kind}: the object schema needs a description`);
  }
  return {
    description: def.object.description,
    type: "object",
    properties: {
      apiVersion: {
        description:
          "APIVersion defines the versioned schema of this representation of an object. " +
          "Servers should convert recognized schemas to the latest internal value, and may " +
          "reject unrecognized values.",
        type: "string",
      },
      kind: {
        description:
          "Kind is a string value representing the REST resource this object represents. " +
          "Servers may infer this from the endpoint the client submits requests to. Cannot be " +
          "updated. In CamelCase.",
        type: "string",
      },
      metadata: { type: "object" },
      spec: zodToStructuralSchema(def.spec, "spec"),
      status: { ...zodToStructuralSchema(def.status, "status"), default: NEW_OBJECT_STATUS },
    },
    required: ["spec"],
  };
}
