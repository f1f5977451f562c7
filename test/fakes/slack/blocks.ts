import { blockId } from './ids.js';

/**
 * The Block Kit limits Slack enforces that a bot is most likely to trip over (long timelines, big plans),
 * reported the way Slack does: a message per problem ending in a JSON pointer.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function textOf(v: unknown): string | undefined {
  return isObj(v) && typeof v.text === 'string' ? v.text : undefined;
}

export function validateBlocks(blocks: unknown, maxBlocks: number, base = '/blocks'): string[] {
  if (!Array.isArray(blocks)) return [`must be an array [json-pointer:${base}]`];
  const errors: string[] = [];
  const fail = (message: string, pointer: string) => errors.push(`${message} [json-pointer:${base}${pointer}]`);
  const longer = (v: string | undefined, max: number, pointer: string) => {
    if (v !== undefined && v.length > max) fail(`must be less than ${max + 1} characters`, pointer);
  };
  if (blocks.length > maxBlocks) fail(`no more than ${maxBlocks} items allowed`, '');
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `/${i}`;
    if (!isObj(block) || typeof block.type !== 'string') return fail('missing required field: type', at);
    if (typeof block.block_id === 'string') {
      longer(block.block_id, 255, `${at}/block_id`);
      if (blockIds.has(block.block_id)) fail(`duplicate block_id ${block.block_id}`, `${at}/block_id`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) fail('must provide text or fields', at);
        longer(textOf(block.text), 3000, `${at}/text/text`);
        if (Array.isArray(block.fields)) {
          if (block.fields.length > 10) fail('no more than 10 items allowed', `${at}/fields`);
          block.fields.forEach((f, j) => longer(textOf(f), 2000, `${at}/fields/${j}/text`));
        }
        break;
      }
      case 'header':
        if (!isObj(block.text) || block.text.type !== 'plain_text') fail('must be a plain_text text object', `${at}/text`);
        longer(textOf(block.text), 150, `${at}/text/text`);
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0) fail('must provide elements', `${at}/elements`);
        else if (block.elements.length > 10) fail('no more than 10 items allowed', `${at}/elements`);
        break;
      case 'actions': {
        if (!Array.isArray(block.elements) || block.elements.length === 0) {
          fail('must provide elements', `${at}/elements`);
          break;
        }
        if (block.elements.length > 25) fail('no more than 25 items allowed', `${at}/elements`);
        const actionIds = new Set<string>();
        block.elements.forEach((el, j) => {
          const ep = `${at}/elements/${j}`;
          if (!isObj(el)) return fail('must be an object', ep);
          if (typeof el.action_id === 'string') {
            longer(el.action_id, 255, `${ep}/action_id`);
            if (actionIds.has(el.action_id)) fail(`duplicate action_id ${el.action_id}`, `${ep}/action_id`);
            actionIds.add(el.action_id);
          }
          if (el.type === 'button') {
            if (!isObj(el.text) || el.text.type !== 'plain_text') fail('must be a plain_text text object', `${ep}/text`);
            longer(textOf(el.text), 75, `${ep}/text/text`);
            if (typeof el.value === 'string') longer(el.value, 2000, `${ep}/value`);
          }
        });
        break;
      }
      case 'input':
        if (!isObj(block.element)) fail('missing required field: element', `${at}/element`);
        longer(textOf(block.label), 2000, `${at}/label/text`);
        break;
    }
  });
  return errors;
}

/** A deep copy with a block_id on every block, as Slack stores and returns them. */
export function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((block) => {
    const copy = structuredClone(block) as Obj;
    if (typeof copy.block_id !== 'string') copy.block_id = blockId();
    return copy;
  });
}

/** The block holding an interactive element with this action_id (and value, when several share an id). */
export function findActionBlock(blocks: unknown[] | undefined, actionId: string, value: string): { blockId: string; element: Obj } | undefined {
  for (const block of blocks ?? []) {
    if (!isObj(block)) continue;
    const elements = Array.isArray(block.elements) ? block.elements : isObj(block.accessory) ? [block.accessory] : [];
    const matches = elements.filter((el): el is Obj => isObj(el) && el.action_id === actionId);
    const element = matches.find((el) => el.value === value) ?? matches[0];
    if (element) return { blockId: String(block.block_id), element };
  }
  return undefined;
}
