export * from './context.js';
export * from './layout.js';
export * from './components.js';
export * from './render.js';
export * from './error-page.js';
export * from './design.js';
export * from './pages.js';
export * from './assets.js';
