export * from "./auth";
export * from "./catalog";
export * from "./connections";
export * from "./banking";
export * from "./sync";
export * from "./api";
export * from "./integrations";
