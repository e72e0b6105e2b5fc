package dev.waterfall.loadtest.run;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How an option appears in its report's settings ({@link OptionSettings}) where not as itself:
 * under the key earlier reports used, or not at all (where the run writes, how much it logs, or a
 * value the scenario records in a form of its own).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Setting {
  /** The key in {@code settings}; empty: the option's longest name in camelCase. */
  String value() default "";

  boolean recorded() default true;
}
