#!/usr/bin/env node
// Validate strata resource documents against the JSON Schemas of schema/v1alpha1.
//
// usage: node ajv_check.mjs [--expect-invalid] SCHEMA_DIR FILE...
//
// Each FILE is one YAML document, read with js-yaml's CORE_SCHEMA (YAML 1.2 core types: no
// timestamps, no yes/no booleans). Its schema is SCHEMA_DIR/<kind in lower case>.json. Prints
// `ok <file>` or `invalid <file>: <errors>` per file; exits 0 if every file is valid, 1 otherwise,
// 2 on a usage error. With --expect-invalid the exit code is inverted per file: 0 only if every
// file is rejected (for negative tests). A summary line goes to standard error.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import yaml from 'js-yaml';

const args = process.argv.slice(2);
let expectInvalid = false;
if (args[0] === '--expect-invalid') {
  expectInvalid = true;
  args.shift();
}
if (args.length < 2) {
  console.error('usage: node ajv_check.mjs [--expect-invalid] SCHEMA_DIR FILE...');
  process.exit(2);
}
const [schemaDir, ...files] = args;

const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map();
for (const entry of readdirSync(schemaDir).sort()) {
  if (!entry.endsWith('.json')) continue;
  const schema = JSON.parse(readFileSync(join(schemaDir, entry), 'utf8'));
  validators.set(entry.slice(0, -'.json'.length), ajv.compile(schema));
}
if (validators.size === 0) {
  console.error(`no schemas (*.json) in ${schemaDir}`);
  process.exit(2);
}

function formatError(e) {
  const where = e.instancePath || '/';
  let msg = e.message ?? e.keyword;
  if (e.keyword === 'false schema') msg = 'is not allowed here';
  else if (e.keyword === 'additionalProperties') msg += ` (${e.params.additionalProperty})`;
  else if (e.keyword === 'enum') msg += ` (${e.params.allowedValues.join(', ')})`;
  else if (e.keyword === 'const') msg += ` (${JSON.stringify(e.params.allowedValue)})`;
  return `${where} ${msg}`;
}

// Returns null when the document is valid, else a message.
function check(file) {
  let doc;
  try {
    doc = yaml.load(readFileSync(file, 'utf8'), { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (err) {
    return `cannot read: ${String(err.message).split('\n')[0]}`;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return 'not a mapping';
  if (typeof doc.kind !== 'string') return '/kind missing or not a string';
  const validate = validators.get(doc.kind.toLowerCase());
  if (!validate) return `/kind unknown kind ${JSON.stringify(doc.kind)} (no ${doc.kind.toLowerCase()}.json)`;
  if (validate(doc)) return null;
  return [...new Set(validate.errors.map(formatError))].join('; ');
}

let passed = 0;
let failed = 0;
for (const file of files) {
  const problem = check(file);
  console.log(problem === null ? `ok ${file}` : `invalid ${file}: ${problem}`);
  if ((problem === null) !== expectInvalid) passed++;
  else failed++;
}
console.error(`schema${expectInvalid ? ' (expect invalid)' : ''}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
