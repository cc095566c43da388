import type { Inbound, Route } from "./message";
import type { Field } from "./routes";
import { isRoute, ROUTE_TABLE, ROUTES } from "./routes";

/** The push is not a well-formed message: `field` is where, `expected` says what should be there. */
export class PushParseError extends Error {
  override readonly name = "PushParseError";
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly got?: unknown,
  ) {
    super(`[message-push] malformed push: ${field} should be ${expected}, got ${describe(got)}`);
  }
}

/** Each route's fields as a list, made once: parsing runs per push. */
const FIELD_LISTS = Object.fromEntries(
  ROUTES.map((route) => [route, Object.entries<Field>(ROUTE_TABLE[route].fields)]),
) as Record<Route, [string, Field][]>;

/** Longest id or openid accepted: WeChat's are 20-60 characters; a 44,000-digit MsgId is not WeChat's. */
const MAX_ID_LENGTH = 128;

const EXPECTED: Record<Field, string> = {
  string: "a string",
  "string?": "a string or absent",
  id: "a string (at most 128 characters) or a safe integer",
  "id?": "a string (at most 128 characters), a safe integer or absent",
  seconds: "a non-negative integer (seconds)",
  int: "an integer (or one written as text)",
  "media-result": "an object {suggest, label}",
  "media-detail": "an array of {strategy, errcode, …}",
  "subscribe-list": "a List of {TemplateId, …} (one object or an array)",
};

type Structured = "int" | "media-result" | "media-detail" | "subscribe-list";
type Flat = Exclude<Field, Structured>;
const STRUCTURED = new Set<Field>(["int", "media-result", "media-detail", "subscribe-list"]);
const isStructured = (kind: Field): kind is Structured => STRUCTURED.has(kind);

/**
 * Turns a raw push (the cloud event, or a decoded HTTP body) into a typed message.
 * Unmodelled but well-formed pushes come back as route "unknown"; anything else throws PushParseError.
 */
export function parsePush(input: unknown): Inbound {
  if (!isRecord(input)) throw new PushParseError("(push)", "a JSON object", input);
  // Every field that names the push (and so becomes part of its dedupe key, a log line or a route) is
  // bounded like an id: a signed plaintext URL can be replayed with any body.
  const ToUserName = account(input, "ToUserName", "an appid or a gh_ id");
  const FromUserName = account(input, "FromUserName", "an openid");
  const CreateTime = read(input, "CreateTime", "seconds");
  const msgType = name(input, "MsgType");
  const businessId = optionalId(input, "BusinessId");
  const event = msgType === "event" ? name(input, "Event") : undefined;
  const key = event === undefined ? msgType : `event.${event}`;

  if (!isRoute(key)) {
    const msgId = optionalId(input, "MsgId");
    return {
      route: "unknown",
      message: {
        ToUserName,
        FromUserName,
        CreateTime,
        MsgType: msgType,
        ...(event === undefined ? {} : { Event: event }),
        ...(msgId === undefined ? {} : { MsgId: msgId }),
        ...(businessId === undefined ? {} : { BusinessId: businessId }),
        raw: input,
      },
    };
  }

  const checked: Record<string, unknown> = { ToUserName, FromUserName, CreateTime, MsgType: msgType };
  if (event !== undefined) checked["Event"] = event;
  if (businessId !== undefined) checked["BusinessId"] = businessId;
  for (const [name, kind] of FIELD_LISTS[key]) {
    const value = isStructured(kind) ? readStructured(input, name, kind) : read(input, name, kind);
    if (value !== undefined) checked[name] = value;
  }
  // Sound: every field of PushMap[key] was read and checked against FIELDS[key] just above,
  // and only checked fields were copied, so no unvalidated extra field reaches a handler.
  return { route: key, message: checked } as unknown as Inbound;
}

function read(input: Record<string, unknown>, name: string, kind: "string"): string;
function read(input: Record<string, unknown>, name: string, kind: "seconds"): number;
function read(input: Record<string, unknown>, name: string, kind: "id"): string;
function read(input: Record<string, unknown>, name: string, kind: Flat): string | number | undefined;
function read(input: Record<string, unknown>, name: string, kind: Flat): string | number | undefined {
  const value = input[name];
  switch (kind) {
    case "string":
      if (typeof value === "string") return value;
      break;
    case "string?":
      if (value === undefined || value === null) return undefined;
      if (typeof value === "string") return value;
      break;
    case "id?":
    case "id":
      if (kind === "id?" && (value === undefined || value === null)) return undefined;
      // Ids become dedupe keys held in memory and in the store: WeChat's are a few dozen characters.
      if (typeof value === "string" && value !== "" && value.length <= MAX_ID_LENGTH) return value;
      // A 64-bit MsgId that went through JSON.parse as a number has already lost digits: refuse it
      // so that the door which did this is found, instead of deduplicating on a wrong id.
      if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
      break;
    case "seconds":
      // XML bodies carry numbers as text.
      if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
      if (typeof value === "string" && /^\d{1,15}$/.test(value)) return Number(value);
      break;
  }
  throw new PushParseError(name, EXPECTED[kind], value);
}

/** Nested fields of the notification events; every value a handler sees was checked here. */
function readStructured(input: Record<string, unknown>, name: string, kind: Structured): unknown {
  switch (kind) {
    case "int":
      return integer(input[name], name);
    case "media-result": {
      const result = input[name];
      if (!isRecord(result)) throw new PushParseError(name, EXPECTED[kind], result);
      return {
        suggest: text(result["suggest"], `${name}.suggest`),
        label: integer(result["label"], `${name}.label`),
      };
    }
    case "media-detail":
      return listOf(input[name]).map((item, index) => {
        const where = `${name}[${index}]`;
        if (!isRecord(item)) throw new PushParseError(where, "an object", item);
        const detail: Record<string, unknown> = {
          strategy: text(item["strategy"], `${where}.strategy`),
          errcode: integer(item["errcode"], `${where}.errcode`),
        };
        if (item["suggest"] !== undefined) detail["suggest"] = text(item["suggest"], `${where}.suggest`);
        if (item["label"] !== undefined) detail["label"] = integer(item["label"], `${where}.label`);
        if (item["prob"] !== undefined) detail["prob"] = decimal(item["prob"], `${where}.prob`);
        return detail;
      });
    case "subscribe-list": {
      // JSON carries List at the top; XML nests it: <SubscribeMsgPopupEvent><List>…</List></SubscribeMsgPopupEvent>.
      const wrapper = Object.keys(input).find((field) => /^SubscribeMsg\w+Event$/.test(field));
      const wrapped = wrapper === undefined ? undefined : input[wrapper];
      const raw = input[name] ?? (isRecord(wrapped) ? wrapped[name] : undefined);
      // One item comes as a bare object, several as an array: handlers always get an array.
      const items = listOf(raw);
      if (items.length === 0) throw new PushParseError(name, EXPECTED[kind], raw);
      return items.map((item, index) => {
        const where = `${name}[${index}]`;
        if (!isRecord(item)) throw new PushParseError(where, "an object", item);
        const checked: Record<string, string> = {
          TemplateId: text(item["TemplateId"], `${where}.TemplateId`),
        };
        for (const field of ["SubscribeStatusString", "PopupScene", "MsgID", "ErrorCode", "ErrorStatus"]) {
          const value = item[field];
          if (value === undefined || value === null) continue;
          if (typeof value !== "string" && !(typeof value === "number" && Number.isSafeInteger(value)))
            throw new PushParseError(`${where}.${field}`, "a string or an integer", value);
          checked[field] = String(value);
        }
        return checked;
      });
    }
  }
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function text(value: unknown, where: string): string {
  if (typeof value === "string") return value;
  throw new PushParseError(where, "a string", value);
}

function integer(value: unknown, where: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d{1,15}$/.test(value)) return Number(value);
  throw new PushParseError(where, "an integer", value);
}

function decimal(value: unknown, where: string): number {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number === "number" && Number.isFinite(number)) return number;
  throw new PushParseError(where, "a number", value);
}

/** A non-empty string no longer than an id. */
function account(input: Record<string, unknown>, field: string, what: string): string {
  const value = input[field];
  if (typeof value === "string" && value !== "" && value.length <= MAX_ID_LENGTH) return value;
  throw new PushParseError(field, `${what} (at most ${MAX_ID_LENGTH} characters)`, value);
}

/** Longest MsgType or Event accepted: the platform's are under 40 characters ("xpay_goods_deliver_notify"). */
const MAX_NAME_LENGTH = 64;

/** A MsgType or Event: a short word, never a whole paragraph in a log line or a dedupe key. */
function name(input: Record<string, unknown>, field: "MsgType" | "Event"): string {
  const value = input[field];
  if (typeof value === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(value)) return value;
  throw new PushParseError(
    field,
    `a name of letters, digits, _ . - (1-${MAX_NAME_LENGTH} characters)`,
    value,
  );
}

function optionalId(input: Record<string, unknown>, name: string): string | undefined {
  return input[name] === undefined || input[name] === null ? undefined : read(input, name, "id");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === "object") return "an object";
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
  return typeof value;
}
