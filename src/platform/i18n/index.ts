export * from './i18n.js';
import './messages.js';
