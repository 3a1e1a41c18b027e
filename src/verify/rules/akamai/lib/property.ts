/**
 * Akamai specifics the property rules share: walking the rule tree's behaviours, where an option of
 * a behaviour is written, and how to name a place in messages.
 *
 * Not a rule (the registry lists only the `.ts` files directly in src/verify/rules/akamai/).
 */
import type { AkamaiModel, AkamaiRule, Feature } from '../../../akamai/index.ts';
import type { ConfigModelBase, SourceLocation } from '../../../types.ts';

export function isAkamai(model: ConfigModelBase): model is AkamaiModel {
  return model.kind === 'akamai';
}

/** Every behaviour named `name` in the tree, with its rule, in tree order (depth first). */
export function behavioursNamed(model: AkamaiModel, name: string): Array<{ rule: AkamaiRule; behavior: Feature }> {
  const out: Array<{ rule: AkamaiRule; behavior: Feature }> = [];
  const visit = (rule: AkamaiRule): void => {
    for (const behavior of rule.behaviors) if (behavior.name === name) out.push({ rule, behavior });
    rule.children.forEach(visit);
  };
  visit(model.rules);
  return out;
}

/** Where an option of a behaviour is written (the behaviour itself when the option is absent). */
export function optionAt(model: AkamaiModel, behavior: Feature, option: string): SourceLocation {
  return option in behavior.options ? model.source.locate([...behavior.path, 'options', option]) : behavior.at;
}

/** `rules.json:72`. */
export function where(at: SourceLocation): string {
  return `${at.file.split(/[\\/]/).pop()}:${at.line}`;
}
