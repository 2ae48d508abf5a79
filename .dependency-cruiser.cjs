// The import graph has no cycles (`npm run check:cycles`). A cycle, even one held only by type
// imports, means two modules cannot be read, tested or moved apart: the vocabulary they share
// belongs in a module of its own (as lib/event-store/command.ts holds the engine's).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A cycle in the import graph (type-only imports count too): move what both sides share into a module of its own.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|lib/generated|\\.next)/' },
    // Type-only imports are edges too: `import type` back into a module closes a cycle as surely.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
