import type { TreeNode } from '../../protocols/index.ts';

/** One node's label: a supervisor with its flags, or a worker with its restart type and restarts. */
export function describeTreeNode(node: TreeNode): string {
  if (node.kind === 'supervisor') {
    return `${node.id}  supervisor ${node.strategy} (intensity ${node.intensity}/${node.periodMs}ms)  ${node.status}`;
  }
  return `${node.id}  ${node.restart}  ${node.status}  restarts=${node.restarts}`;
}

/**
 * Draws supervisor trees with box characters:
 *
 * ```
 * root  supervisor one_for_one (intensity 10/10000ms)  running
 * └─ hello  supervisor one_for_one (intensity 10/10000ms)  running
 *    ├─ counter  permanent  running  restarts=0
 *    └─ workers  supervisor one_for_one (intensity 20/10000ms)  running
 *       └─ flaky  permanent  running  restarts=2
 * ```
 */
export function formatTree(roots: readonly TreeNode[], label: (node: TreeNode) => string = describeTreeNode): string[] {
  const lines: string[] = [];
  const walk = (node: TreeNode, prefix: string, childPrefix: string): void => {
    lines.push(`${prefix}${label(node)}`);
    if (node.kind !== 'supervisor') return;
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      walk(child, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  for (const root of roots) walk(root, '', '');
  return lines;
}
