// esbuild bundles CSS imported from the components into one stylesheet per page.
declare module '*.css';
