/** The one name the bundled engine is bound to in a generated module (a constant, not policy text). */
export const ENGINE_NAME = "rampartEngine";
