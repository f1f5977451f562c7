#!/usr/bin/env node
/**
 * A fake `terraform` for the terraform driver's tests (the real one is not installed here): `init`,
 * `plan -out=<file>`, `show -json <file>` and `apply <file>` over JSON files in the working directory.
 *   fake-config.json    { "resources": { "<address>": { attribute: value | "${var.name}" } } }: the desired state
 *   state.json          { "serial": n, "resources": { ... } } (terraform.tfstate.d/<ws>/state.json in workspace <ws>)
 *   applies.log         one line per successful apply, so tests count them
 * Variables come from -var name=value, -var-file=<file> (name = "value" lines) and TF_VAR_<name>; the
 * workspace from TF_WORKSPACE. `show -json` prints the real format's fields (resource_changes[].address,
 * .change.actions, .change.before/after, variables); a stale saved plan is refused as Terraform does.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';

const [command, ...args] = process.argv.slice(2);
const workspace = process.env.TF_WORKSPACE || 'default';
const stateFile = workspace === 'default' ? 'state.json' : join('terraform.tfstate.d', workspace, 'state.json');

const say = (line) => process.stdout.write(`${line}\n`);

function fail(message) {
  process.stderr.write(`\nError: ${message}\n\n`);
  process.exit(1);
}

const readJson = (file, fallback) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : fallback);
const readState = () => readJson(stateFile, { serial: 0, resources: {} });

/** `-name=value` or `-name value`, repeated flags collected in order. */
function flags(list) {
  const out = { positional: [] };
  for (let i = 0; i < list.length; i++) {
    const match = /^-{1,2}([a-z-]+)(?:=(.*))?$/.exec(list[i]);
    if (!match) {
      out.positional.push(list[i]);
      continue;
    }
    const [, name, inline] = match;
    const value = inline ?? (['var', 'var-file', 'target', 'out'].includes(name) ? list[++i] : 'true');
    (out[name] ??= []).push(value);
  }
  return out;
}

function variables(f) {
  const vars = {};
  for (const [name, value] of Object.entries(process.env)) if (name.startsWith('TF_VAR_')) vars[name.slice(7)] = value;
  for (const file of f['var-file'] ?? []) {
    if (!existsSync(file)) fail(`Failed to read variables file: Given variables file ${file} does not exist.`);
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"(.*)"\s*$/.exec(line);
      if (m) vars[m[1]] = m[2];
    }
  }
  for (const pair of f.var ?? []) {
    const at = pair.indexOf('=');
    vars[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return vars;
}

function desired(vars) {
  const config = readJson('fake-config.json', undefined);
  if (!config) fail('No configuration files: fake-config.json is missing in this directory.');
  const resolve = (value) =>
    typeof value === 'string'
      ? value.replace(/\$\{var\.([A-Za-z0-9_]+)\}/g, (_, name) => {
          if (!(name in vars)) fail(`No value for required variable "${name}".`);
          return vars[name];
        })
      : value;
  return Object.fromEntries(
    Object.entries(config.resources).map(([address, attrs]) => [address, Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, resolve(v)]))]),
  );
}

const inTargets = (address, targets) => !targets?.length || targets.some((t) => address === t || address.startsWith(`${t}.`));

function changes(want, have, targets) {
  const addresses = [...new Set([...Object.keys(want), ...Object.keys(have)])].sort().filter((a) => inTargets(a, targets));
  return addresses.map((address) => {
    const before = have[address] ?? null;
    const after = want[address] ?? null;
    const actions = !before ? ['create'] : !after ? ['delete'] : JSON.stringify(before) === JSON.stringify(after) ? ['no-op'] : ['update'];
    return { address, actions, before, after };
  });
}

const count = (list, action) => list.filter((c) => c.actions.includes(action)).length;

switch (command) {
  case 'init':
    mkdirSync('.terraform', { recursive: true });
    writeFileSync(join('.terraform', 'initialized'), 'fake\n');
    say('Terraform has been successfully initialized!');
    break;
  case 'plan': {
    if (!existsSync(join('.terraform', 'initialized'))) fail('Backend initialization required, please run "terraform init"');
    const f = flags(args);
    const vars = variables(f);
    const state = readState();
    const list = changes(desired(vars), state.resources, f.target);
    for (const c of list.filter((c) => c.actions[0] !== 'no-op')) say(`  # ${c.address} will be ${c.actions[0]}d`);
    const real = list.filter((c) => c.actions[0] !== 'no-op');
    say(real.length ? `Plan: ${count(real, 'create')} to add, ${count(real, 'update')} to change, ${count(real, 'delete')} to destroy.` : 'No changes.');
    const out = f.out?.[0];
    if (out) writeFileSync(out, JSON.stringify({ fake: 'plan', serial: state.serial, workspace, changes: list, variables: vars }));
    break;
  }
  case 'show': {
    const f = flags(args);
    const file = f.positional[0];
    if (!f.json || !file || !existsSync(file)) fail('show needs -json and a saved plan file in this fake');
    const plan = JSON.parse(readFileSync(file, 'utf8'));
    const out = {
      format_version: '1.2',
      terraform_version: '1.9.8',
      variables: Object.fromEntries(Object.entries(plan.variables).map(([k, value]) => [k, { value }])),
      resource_changes: plan.changes.map((c) => {
        const parts = c.address.split('.');
        return {
          address: c.address,
          mode: 'managed',
          type: parts.at(-2),
          name: parts.at(-1),
          change: { actions: c.actions, before: c.before, after: c.after, after_unknown: {}, before_sensitive: false, after_sensitive: false },
        };
      }),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    break;
  }
  case 'apply': {
    const file = flags(args).positional[0];
    if (!file || !existsSync(file)) fail('this fake applies saved plan files only: terraform apply <planfile>');
    const plan = JSON.parse(readFileSync(file, 'utf8'));
    const state = readState();
    if (plan.workspace !== workspace || plan.serial !== state.serial) {
      fail(
        'Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created.',
      );
    }
    for (const c of plan.changes) {
      if (c.actions[0] === 'no-op') continue;
      say(`${c.address}: ${c.actions[0] === 'create' ? 'Creating' : c.actions[0] === 'delete' ? 'Destroying' : 'Modifying'}...`);
      if (c.after) state.resources[c.address] = c.after;
      else delete state.resources[c.address];
    }
    state.serial += 1;
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, JSON.stringify(state));
    appendFileSync('applies.log', `${workspace} serial ${state.serial}\n`);
    const real = plan.changes.filter((c) => c.actions[0] !== 'no-op');
    say(`Apply complete! Resources: ${count(real, 'create')} added, ${count(real, 'update')} changed, ${count(real, 'delete')} destroyed.`);
    break;
  }
  default:
    fail(`this fake does not implement "terraform ${command ?? ''}"`);
}
