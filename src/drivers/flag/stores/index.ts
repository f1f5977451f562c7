import { appconfigStore } from './appconfig/index.js';
import { dopplerStore } from './doppler/index.js';
import { httpStore } from './http/index.js';
import { ssmStore } from './ssm/index.js';

/** Every flag store: a new one is one folder here and one more entry in this list. */
export const FLAG_STORES = [ssmStore, appconfigStore, httpStore, dopplerStore] as const;

type AnyFlagStore = (typeof FLAG_STORES)[number];
export type FlagStoreName = AnyFlagStore['store'];
/** The clients some store may ask for. */
export type FlagStoreClient = AnyFlagStore['clients'][number];

/** Each store's schema under `key`, as the non-empty list a zod discriminated union takes. */
export function storeSchemas<K extends 'target' | 'planData'>(key: K): [AnyFlagStore[K], ...AnyFlagStore[K][]] {
  const [first, ...rest] = FLAG_STORES;
  return [first[key], ...rest.map((s) => s[key])];
}

/** The store a flag target or plan names; the schemas admit no other, so a miss is a wiring bug. */
export function flagStore(name: string): AnyFlagStore {
  const store = FLAG_STORES.find((s) => s.store === name);
  if (!store) throw new Error(`no flag store "${name}"`);
  return store;
}
