/** Label and field selectors as the API server parses them (the subset Rewind and kubectl send). */

type Labels = Record<string, string> | undefined;
type Requirement = (labels: Labels) => boolean;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

function requirement(term: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (m) {
    const [, key = '', op, list = ''] = m;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => l?.[key] !== undefined && values.has(l[key]) : (l) => l?.[key] === undefined || !values.has(l[key]);
  }
  m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) {
    const [, key = '', op, value] = m;
    return op === '!=' ? (l) => l?.[key] !== value : (l) => l?.[key] === value;
  }
  if (term.startsWith('!')) return (l) => l?.[term.slice(1)] === undefined;
  if (/^[^\s=!()]+$/.test(term)) return (l) => l?.[term] !== undefined;
  throw new Error(`unable to parse requirement: "${term}"`);
}

/** Throws on syntax the fake does not understand, so a test sees a 400 instead of a silent match-all. */
export function labelSelector(text: string | null): (labels: Labels) => boolean {
  const requirements = splitTopLevel(text ?? '').map(requirement);
  return (labels) => requirements.every((r) => r(labels));
}

interface Named {
  metadata: { name: string; namespace: string };
}

/** `metadata.name=x`, `metadata.namespace!=y`: the fields every resource supports. */
export function fieldSelector(text: string | null): (object: Named) => boolean {
  const terms = splitTopLevel(text ?? '').map((term) => {
    const m = /^(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (!m) throw new Error(`field label not supported: "${term}"`);
    const [, field, op, value] = m;
    const get = (o: Named) => (field === 'metadata.name' ? o.metadata.name : o.metadata.namespace);
    return op === '!=' ? (o: Named) => get(o) !== value : (o: Named) => get(o) === value;
  });
  return (object) => terms.every((t) => t(object));
}
