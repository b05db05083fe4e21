package dev.sparkdit.runner;

/** What one rank does once it is set up. */
@FunctionalInterface
public interface RankBody<T> {
    T run(Rank rank) throws Exception;
}
