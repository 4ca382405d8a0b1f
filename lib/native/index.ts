/** The native addon: its loader, the binding's types and the engines' run protocol. */
export * from './binding';
export * from './protocol';
export { native, nativeFile } from './loader';
