package dev.waterfall.loadtest.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads chart data out of a report's figures: one number per element of an array or per field of an
 * object.
 */
public final class Series {
  private Series() {}

  /** {@code field} of each element of {@code array} (NaN where missing). */
  public static double[] of(JsonNode array, String field) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = array.get(i).path(field);
      out[i] = v.isNumber() ? v.asDouble() : Double.NaN;
    }
    return out;
  }

  /** The field names of an object, in order (e.g. depths "1".."6" or sizes "10000","100000"). */
  public static List<String> keys(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** {@code object.<key>.<path…>} for each key, NaN where missing. */
  public static double[] byKey(JsonNode object, List<String> keys, String... path) {
    double[] out = new double[keys.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = object.path(keys.get(i));
      for (String p : path) {
        v = v.path(p);
      }
      out[i] = v.isNumber() ? v.asDouble() : Double.NaN;
    }
    return out;
  }

  /** Keys parsed as numbers (depths, sizes). */
  public static double[] numbers(List<String> keys) {
    return keys.stream()
        .mapToDouble(
            k -> {
              try {
                return Double.parseDouble(k);
              } catch (NumberFormatException e) {
                return Double.NaN;
              }
            })
        .toArray();
  }
}
