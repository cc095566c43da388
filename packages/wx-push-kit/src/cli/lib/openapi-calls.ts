// Which cloud calls (`cloud.openapi.<api>.<method>(…)`) the function's TypeScript makes, read from the syntax
// tree rather than from the bundle: minifying renames a destructured `openapi` and lowers `?.`, so text
// patterns over bundle.js miss calls, and each missed call fails in the cloud with -604101. A use this cannot
// follow to a call (an alias, a destructured API) is reported with its place, to be checked by hand.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

export interface OpenapiUses {
  /** "customerServiceMessage.send", … sorted, without repeats. */
  calls: string[];
  /** Uses that could not be followed to a call: `file:line  code`. */
  unresolved: string[];
}

export function openapiCallsIn(sourceDir: string): OpenapiUses {
  const calls = new Set<string>();
  const unresolved: string[] = [];
  for (const file of typeScriptFiles(sourceDir)) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (isOpenapiReference(node)) {
        const call = followToCall(node);
        if (call !== undefined) calls.add(call);
        else {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
          const statement = enclosingStatement(node).getText(source).split("\n")[0] ?? "";
          unresolved.push(`${path.relative(process.cwd(), file)}:${line + 1}  ${statement.trim()}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { calls: [...calls].sort(), unresolved };
}

function typeScriptFiles(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** `x.openapi`, `x["openapi"]`, or a variable named `openapi` used as an object (`openapi.api…`). */
function isOpenapiReference(node: ts.Node): boolean {
  if (ts.isPropertyAccessExpression(node)) return node.name.text === "openapi";
  if (ts.isElementAccessExpression(node))
    return ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === "openapi";
  if (ts.isIdentifier(node) && node.text === "openapi") {
    const parent = node.parent;
    return (
      (ts.isPropertyAccessExpression(parent) ||
        ts.isElementAccessExpression(parent) ||
        ts.isCallExpression(parent)) &&
      parent.expression === node
    );
  }
  return false;
}

/** From the openapi object to `api.method(…)`: "api.method", or undefined when the chain goes elsewhere. */
function followToCall(reference: ts.Node): string | undefined {
  let node = skipWrappers(reference);
  // openapi({ appid }).api.method(…): the cross-account form.
  if (ts.isCallExpression(node.parent) && node.parent.expression === node) node = skipWrappers(node.parent);
  const api = memberOf(node);
  if (api === undefined) return undefined;
  const method = memberOf(api.node);
  if (method === undefined) return undefined;
  const call = method.node.parent;
  return ts.isCallExpression(call) && call.expression === method.node
    ? `${api.name}.${method.name}`
    : undefined;
}

/** The member read on `node` (`node.name` or `node["name"]`), looking through `!` and parentheses. */
function memberOf(node: ts.Node): { name: string; node: ts.Node } | undefined {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node)
    return { name: parent.name.text, node: skipWrappers(parent) };
  if (
    ts.isElementAccessExpression(parent) &&
    parent.expression === node &&
    ts.isStringLiteralLike(parent.argumentExpression)
  )
    return { name: parent.argumentExpression.text, node: skipWrappers(parent) };
  return undefined;
}

function skipWrappers(node: ts.Node): ts.Node {
  let current = node;
  while (
    (ts.isNonNullExpression(current.parent) || ts.isParenthesizedExpression(current.parent)) &&
    current.parent.expression === current
  )
    current = current.parent;
  return current;
}

function enclosingStatement(node: ts.Node): ts.Node {
  let current = node;
  while (!ts.isSourceFile(current.parent) && !ts.isBlock(current.parent)) current = current.parent;
  return current;
}
