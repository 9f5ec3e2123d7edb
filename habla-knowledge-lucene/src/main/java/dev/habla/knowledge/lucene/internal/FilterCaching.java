package dev.habla.knowledge.lucene.internal;

import java.util.function.Supplier;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryCachingPolicy;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.util.automaton.ByteRunAutomaton;

/**
 * Keeps the language filter of a search as a bit set per segment (Lucene's query cache), so a filtered vector search
 * does not decode the language's postings again for every query (at 100k passages the filter turns half the index
 * into a bit set each time). Lucene's default policy never caches a term query ("already fast"); this one caches
 * exactly the queries made only of terms of the language field (and field-exists checks, which the vector search adds
 * around its filter) and nothing else: scored BM25 queries are not cached anyway, and nothing a user types is.
 * A cached set lives as long as its segment (memory: one bit per document per language).
 */
public final class FilterCaching implements QueryCachingPolicy {
    private final String field;

    public FilterCaching(String field) {
        this.field = field;
    }

    /** Searchers that cache the filters on {@code field}. */
    public static SearcherFactory searchers(String field) {
        QueryCachingPolicy policy = new FilterCaching(field);
        return new SearcherFactory() {
            @Override
            public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                IndexSearcher s = new IndexSearcher(reader);
                s.setQueryCachingPolicy(policy);
                return s;
            }
        };
    }

    @Override
    public void onUse(Query query) {
    }

    @Override
    public boolean shouldCache(Query query) {
        boolean[] onField = {false};
        boolean[] other = {false};
        query.visit(new QueryVisitor() {
            @Override
            public boolean acceptField(String f) {
                return true;
            }

            @Override
            public void consumeTerms(Query q, Term... terms) {
                for (Term t : terms) {
                    if (t.field().equals(field)) onField[0] = true;
                    else other[0] = true;
                }
            }

            @Override
            public void consumeTermsMatching(Query q, String f, Supplier<ByteRunAutomaton> automaton) {
                other[0] = true;
            }
        });
        return onField[0] && !other[0];
    }
}
