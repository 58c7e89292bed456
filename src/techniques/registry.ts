import { GlassboxError } from '../data/errors.js';
import type { Technique, Stage } from './contract.js';

const techniques = new Map<string, Technique>();

/** Adds a technique. A contributed technique is a module that calls this once; nothing else changes. */
export function register(t: Technique): void {
  if (techniques.has(t.id)) throw new Error(`technique "${t.id}" is registered twice`);
  techniques.set(t.id, t);
}

export function technique(id: string): Technique {
  const t = techniques.get(id);
  if (!t) {
    throw new GlassboxError(`unknown technique "${id}" (known: ${[...techniques.keys()].sort().join(', ')})`, {
      code: 'unknown-technique',
    });
  }
  return t;
}

export function hasTechnique(id: string): boolean {
  return techniques.has(id);
}

export function listTechniques(stage?: Stage): Technique[] {
  return [...techniques.values()].filter((t) => stage === undefined || t.stage === stage);
}
