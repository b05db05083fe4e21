package dev.sparkdit.datasets.spark;

import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

import java.util.List;

/** Small conversions between Java values and what Spark rows hold. */
final class SparkValues {

    private SparkValues() {
    }

    /** Array columns hold Scala sequences; {@link Row#getList} reads them back as Java lists. */
    static scala.collection.immutable.Seq<?> seq(List<?> list) {
        return CollectionConverters.asScala(list).toSeq();
    }

    /** A column's value by name, failing with the column's name when the row lacks it or holds null. */
    static Object required(Row row, String column) {
        Object value = nullable(row, column);
        if (value == null) {
            throw new IllegalArgumentException("column '" + column + "' is null");
        }
        return value;
    }

    static Object nullable(Row row, String column) {
        return row.get(row.fieldIndex(column));
    }
}
