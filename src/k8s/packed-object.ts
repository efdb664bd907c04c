// A cached object as one flat array of its values behind a shared shape. A Secret parsed from
// JSON is five to seven small objects (the Secret, metadata, labels, annotations, data, owner
// references); the controller holds two per token. Objects of one kind have a handful of shapes
// (which keys, nested how), so the keys and the nesting are kept once per shape and each object
// keeps only its values. `unpack` rebuilds an equal plain object (same keys, same order).

/** A value the shape holds for all its objects (a boolean, or a string such as a kind). */
interface Constant {
  readonly constant: unknown;
}

/**
 * A smaller form of a string value, for one key: a resourceVersion as a number, a time as epoch
 * seconds. `encode` returns undefined for a string it cannot give back exactly (that one is
 * kept as it is); `decode(encode(s))` must equal `s`.
 */
export interface ValueCodec {
  /** Names the codec in shape signatures: distinct per codec. */
  readonly name: string;
  encode(value: string): unknown;
  decode(encoded: unknown): string;
}

/** A value each object keeps encoded by `codec`. */
interface Encoded {
  readonly codec: ValueCodec;
}

/** The keys of an object (or an array's length) and, per key, the shape below it (or a value). */
interface Shape {
  readonly array: boolean;
  readonly keys: readonly string[];
  /**
   * Per key: the nested shape, a constant, a codec where each object keeps its value encoded,
   * or undefined where each object keeps its value.
   */
  readonly children: readonly Child[];
}

type Child = Shape | Constant | Encoded | undefined;

/** What an informer stores for a packed object: its shape, then its values in order. */
export type PackedObject = readonly [Shape, ...unknown[]];

/** Most distinct shapes kept for sharing; past it the table starts afresh (packed ones stay valid). */
const MAX_SHAPES = 1024;

/** Packs and unpacks objects, sharing shapes between them. */
export class ObjectPacker {
  readonly #shapes = new Map<string, Shape>();
  readonly #constantKeys: ReadonlySet<string>;
  readonly #codecs: ReadonlyMap<string, ValueCodec>;
  readonly #encoded = new Map<ValueCodec, Encoded>();

  /**
   * `constantKeys`: keys whose string values are kept in the shape, not per object (values
   * the same for nearly all objects: apiVersion, kind, type, a label every object carries).
   * Booleans and nulls always are. `codecs`: per key, a smaller form its string values are
   * kept in (in objects, not in arrays).
   */
  constructor(
    constantKeys: Iterable<string> = ["apiVersion", "kind", "type"],
    codecs: Readonly<Record<string, ValueCodec>> = {},
  ) {
    this.#constantKeys = new Set(constantKeys);
    this.#codecs = new Map(Object.entries(codecs));
  }

  /**
   * `object` as its shape and values. Frozen parts (those CacheSharing shares) and anything
   * that is not a plain object or array are kept as values, by reference.
   */
  pack(object: object): PackedObject {
    const values: unknown[] = [];
    const shape = this.#shapeOf(object, values);
    // Sized once: an array grown by push (or a spread) keeps room for more.
    const packed = new Array<unknown>(values.length + 1);
    packed[0] = shape;
    for (let i = 0; i < values.length; i++) packed[i + 1] = values[i];
    return packed as unknown as PackedObject;
  }

  /** A plain object equal to the one packed. */
  unpack(packed: PackedObject): Record<string, unknown> {
    const [shape] = packed;
    const cursor = { next: 1 };
    return build(shape, packed, cursor) as Record<string, unknown>;
  }

  #shapeOf(value: object, values: unknown[]): Shape {
    const array = Array.isArray(value);
    const keys = Object.keys(value);
    const children = keys.map((key) => {
      const child: unknown = (value as Record<string, unknown>)[key];
      if (isNested(child)) return this.#shapeOf(child, values);
      const constant =
        typeof child === "boolean" ||
        child === null ||
        (typeof child === "string" && !array && this.#constantKeys.has(key));
      if (constant) return { constant: child };
      const codec = typeof child === "string" && !array ? this.#codecs.get(key) : undefined;
      const encoded = codec?.encode(child as string);
      if (codec !== undefined && encoded !== undefined) {
        values.push(encoded);
        return this.#encodedBy(codec);
      }
      values.push(child);
      return undefined;
    });
    return this.#shared({ array, keys: array ? [] : keys, children });
  }

  /** One marker per codec, so that shapes compare and share as before. */
  #encodedBy(codec: ValueCodec): Encoded {
    let marker = this.#encoded.get(codec);
    if (marker === undefined) {
      marker = { codec };
      this.#encoded.set(codec, marker);
    }
    return marker;
  }

  #shared(shape: Shape): Shape {
    const signature = signatureOf(shape);
    const known = this.#shapes.get(signature);
    if (known !== undefined) return known;
    if (this.#shapes.size >= MAX_SHAPES) this.#shapes.clear();
    this.#shapes.set(signature, shape);
    return shape;
  }
}

/** Plain objects and arrays are taken apart; frozen (shared) parts are kept whole. */
function isNested(value: unknown): value is object {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return false;
  // JSON.parse makes "__proto__" an own key; rebuilding it by assignment would not.
  if (Object.hasOwn(value, "__proto__")) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return Array.isArray(value) || prototype === Object.prototype || prototype === null;
}

function signatureOf(shape: Shape): string {
  const children = shape.children
    .map((child) => {
      if (child === undefined) return "v";
      if ("codec" in child) return `e${JSON.stringify(child.codec.name)}`;
      return "constant" in child ? `c${JSON.stringify(child.constant)}` : signatureOf(child);
    })
    .join(",");
  return `${shape.array ? "a" : "o"}${JSON.stringify(shape.keys)}(${children})`;
}

function build(shape: Shape, values: PackedObject, cursor: { next: number }): unknown {
  const childValue = (child: Child): unknown => {
    if (child === undefined) return values[cursor.next++];
    if ("codec" in child) return child.codec.decode(values[cursor.next++]);
    return "constant" in child ? child.constant : build(child, values, cursor);
  };
  if (shape.array) return shape.children.map(childValue);
  const object: Record<string, unknown> = {};
  shape.keys.forEach((key, index) => (object[key] = childValue(shape.children[index])));
  return object;
}
