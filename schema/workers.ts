import { builder } from './builder.ts';

// Placeholder: filled in by its feature work.
void builder;
