import { variableDocs } from './variable.js';
import { variables } from './variables.js';

/** The README's configuration table, one row per variable in the schema's order, from each one's documentation. */
export function configTable(): string {
  const rows = Object.entries(variables.shape).map(([name, schema]) => {
    const doc = variableDocs.get(schema);
    if (doc === undefined) throw new Error(`${name} has no documentation`);
    const shown = doc.shownDefault ?? (doc.fallback === undefined ? '—' : `\`${doc.fallback}\``);
    return `| \`${name}\` | ${shown} | ${doc.meaning} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
