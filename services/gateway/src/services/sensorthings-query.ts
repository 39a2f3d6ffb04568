import { ValidationError } from "@hub/common";

/**
 * The small, safe subset of OData that the SensorThings API accepts on Observations: `$filter` comparisons of
 * `phenomenonTime` (with an ISO 8601 date-time) and `result` (with a number), joined by `and`/`or`, in parentheses;
 * `$orderby` on the same two properties. Both compile to SQL over `sensor_readings` from fixed column and operator
 * tables, every literal a bind parameter: nothing the caller wrote is ever pasted into the SQL text.
 */

/** The properties a filter or an ordering may name, and their columns in sensor_readings (alias r). */
const PROPERTIES = {
  phenomenonTime: { column: "r.observed_at", type: "time" },
  result: { column: "r.value", type: "number" },
} as const;
type Property = keyof typeof PROPERTIES;

const OPERATORS = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" } as const;
type Operator = keyof typeof OPERATORS;

/** Bounds on what a filter may ask, so that no request builds a huge expression. */
const MAX_COMPARISONS = 20;
const MAX_DEPTH = 8;

export type FilterNode =
  | { kind: "compare"; property: Property; operator: Operator; value: Date | number }
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode };

type Token =
  | { kind: "open" | "close"; at: number }
  | { kind: "word" | "string" | "other"; text: string; at: number }
  | { kind: "number"; value: number; text: string; at: number }
  | { kind: "time"; value: Date; text: string; at: number };

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})/;
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_/]*/;

const refuse = (message: string): never => {
  throw new ValidationError("query.$filter", message);
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const rest = text.slice(at);
    const space = /^\s+/.exec(rest);
    if (space) {
      at += space[0].length;
      continue;
    }
    if (rest[0] === "(" || rest[0] === ")") {
      tokens.push({ kind: rest[0] === "(" ? "open" : "close", at });
      at += 1;
      continue;
    }
    const string = /^'(?:[^']|'')*'/.exec(rest);
    if (string) {
      tokens.push({ kind: "string", text: string[0], at });
      at += string[0].length;
      continue;
    }
    const time = TIME.exec(rest);
    if (time) {
      const value = new Date(time[0]);
      if (Number.isNaN(value.getTime())) refuse(`"${time[0]}" at position ${at + 1} is not a valid date-time`);
      tokens.push({ kind: "time", value, text: time[0], at });
      at += time[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      const value = Number(number[0]);
      if (!Number.isFinite(value)) refuse(`"${number[0]}" at position ${at + 1} is not a finite number`);
      tokens.push({ kind: "number", value, text: number[0], at });
      at += number[0].length;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      tokens.push({ kind: "word", text: word[0], at });
      at += word[0].length;
      continue;
    }
    // Refused where the parser meets it, so that what comes first (an unsupported function) is named first.
    tokens.push({ kind: "other", text: rest[0] as string, at });
    at += 1;
  }
  return tokens;
}

const describe = (token: Token | undefined): string => {
  if (!token) return "the end of the filter";
  if (token.kind === "other") return `unsupported character ${JSON.stringify(token.text)} at position ${token.at + 1}`;
  return `"${"text" in token ? token.text : token.kind === "open" ? "(" : ")"}" at position ${token.at + 1}`;
};

/** Parses a `$filter` expression; a ValidationError on `query.$filter` names what is not supported. */
export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  if (tokens.length === 0) refuse("is empty");
  let position = 0;
  let comparisons = 0;
  const peek = () => tokens[position];
  const next = () => tokens[position++];
  const isWord = (token: Token | undefined, word: string) =>
    token?.kind === "word" && token.text.toLowerCase() === word;

  const parseOr = (depth: number): FilterNode => {
    let left = parseAnd(depth);
    while (isWord(peek(), "or")) {
      next();
      left = { kind: "or", left, right: parseAnd(depth) };
    }
    return left;
  };
  const parseAnd = (depth: number): FilterNode => {
    let left = parsePrimary(depth);
    while (isWord(peek(), "and")) {
      next();
      left = { kind: "and", left, right: parsePrimary(depth) };
    }
    return left;
  };
  const parsePrimary = (depth: number): FilterNode => {
    const token = next();
    if (token?.kind === "open") {
      if (depth >= MAX_DEPTH) refuse(`parentheses nest deeper than ${MAX_DEPTH}`);
      const inner = parseOr(depth + 1);
      const close = next();
      if (close?.kind !== "close") refuse(`expected ")" but found ${describe(close)}`);
      return inner;
    }
    if (token?.kind !== "word") return refuse(`expected phenomenonTime or result but found ${describe(token)}`);
    const name = token.text;
    if (!(name in PROPERTIES)) {
      const what = peek()?.kind === "open" ? "function" : "property";
      return refuse(`unsupported ${what} "${name}" at position ${token.at + 1} (supported: phenomenonTime, result)`);
    }
    const property = name as Property;
    const operatorToken = next();
    if (operatorToken?.kind !== "word" || !(operatorToken.text in OPERATORS)) {
      return refuse(`unsupported operator ${describe(operatorToken)} (supported: eq, ne, gt, ge, lt, le)`);
    }
    const operator = operatorToken.text as Operator;
    const literal = next();
    const expected = PROPERTIES[property].type;
    if (expected === "time" && literal?.kind !== "time")
      return refuse(`phenomenonTime compares with an ISO 8601 date-time, not ${describe(literal)}`);
    if (expected === "number" && literal?.kind !== "number")
      return refuse(`result compares with a number, not ${describe(literal)}`);
    comparisons += 1;
    if (comparisons > MAX_COMPARISONS) refuse(`at most ${MAX_COMPARISONS} comparisons`);
    return { kind: "compare", property, operator, value: (literal as { value: Date | number }).value };
  };

  const tree = parseOr(0);
  if (position < tokens.length) refuse(`unexpected ${describe(peek())}`);
  return tree;
}

/** SQL for a filter: the condition text (columns and operators from the fixed tables) and its bind values. */
export function compileFilter(node: FilterNode, firstParameter: number): { sql: string; values: (Date | number)[] } {
  const values: (Date | number)[] = [];
  const walk = (current: FilterNode): string => {
    if (current.kind === "compare") {
      values.push(current.value);
      return `${PROPERTIES[current.property].column} ${OPERATORS[current.operator]} $${firstParameter + values.length - 1}`;
    }
    return `(${walk(current.left)} ${current.kind === "and" ? "AND" : "OR"} ${walk(current.right)})`;
  };
  return { sql: walk(node), values };
}

export interface OrderTerm {
  property: Property;
  descending: boolean;
}

/** Parses `$orderby`: comma-separated `phenomenonTime|result [asc|desc]`, each property at most once. */
export function parseOrderBy(text: string): OrderTerm[] {
  const terms: OrderTerm[] = [];
  for (const part of text.split(",")) {
    const words = part.trim().split(/\s+/);
    const [name, direction, ...extra] = words;
    if (!name) throw new ValidationError("query.$orderby", "has an empty term");
    if (!(name in PROPERTIES))
      throw new ValidationError("query.$orderby", `cannot order by "${name}" (supported: phenomenonTime, result)`);
    if (direction !== undefined && direction !== "asc" && direction !== "desc")
      throw new ValidationError("query.$orderby", `direction must be asc or desc, not "${direction}"`);
    if (extra.length > 0) throw new ValidationError("query.$orderby", `unexpected "${extra.join(" ")}"`);
    if (terms.some((term) => term.property === name))
      throw new ValidationError("query.$orderby", `orders by "${name}" twice`);
    terms.push({ property: name as Property, descending: direction === "desc" });
  }
  return terms;
}

/** ORDER BY text for the terms, ending with the event id so that pages never overlap or skip a row. */
export function compileOrderBy(terms: OrderTerm[]): string {
  const parts = terms.map((term) => `${PROPERTIES[term.property].column} ${term.descending ? "DESC" : "ASC"}`);
  return [...parts, "r.event_id ASC"].join(", ");
}
