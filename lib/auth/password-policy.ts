/**
 * Password rules shared by the server's validation and the forms. Kept free of zod so a
 * client component that shows the rule does not ship the validation library.
 */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;
