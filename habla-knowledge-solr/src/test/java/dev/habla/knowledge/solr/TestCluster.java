package dev.habla.knowledge.solr;

import dev.habla.knowledge.Embedder;
import java.nio.file.Path;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * A real SolrCloud in the test JVM (shared/docs/rag.md §5.4): 2 Jetty nodes, embedded ZooKeeper, the Habla configset,
 * a 2-shard collection; the store connects through the nodes' URLs, as an application would.
 */
final class TestCluster implements AutoCloseable {
    final MiniSolrCloudCluster cluster;
    final SolrKnowledgeStore store;

    TestCluster(Path dir, String collection) throws Exception {
        this(dir, collection, null);
    }

    /** With {@code spanish} as the store's second model for Spanish (null = none). */
    TestCluster(Path dir, String collection, Embedder spanish) throws Exception {
        int dimension = Embedder.defaultModel().dimension();
        Path conf = SolrConfigset.write(dir.resolve("conf"), dimension, spanish == null ? dimension : spanish.dimension());
        cluster = new MiniSolrCloudCluster.Builder(2, dir.resolve("solr")).addConfig("habla", conf).build();
        try {
            CollectionAdminRequest.createCollection(collection, "habla", 2, 1).process(cluster.getSolrClient());
            cluster.waitForActiveCollection(collection, 2, 2);
            store = SolrKnowledgeStore.connect(cluster.getJettySolrRunners().stream().map(JettySolrRunner::getBaseUrl)
                    .map(Object::toString).toList(), collection, Embedder.defaultModel(), spanish);
        } catch (Exception | Error e) {
            cluster.shutdown();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        store.close();
        cluster.shutdown();
    }
}
