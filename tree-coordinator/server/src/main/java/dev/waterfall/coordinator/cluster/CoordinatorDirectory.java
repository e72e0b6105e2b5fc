package dev.waterfall.coordinator.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public URLs of the cluster's coordinators, which every {@code welcome} lists so a node whose
 * coordinator dies knows where else to resume. Each member puts its own URL into the Hazelcast map
 * {@value #MAP} under its member UUID once its HTTP port is bound; when a member leaves, every
 * survivor removes its entry (idempotent). Hazelcast has no entry that dies with its owner, so the
 * list handed out also keeps only current members: an entry whose removal was missed (all its
 * removers died with it) never sends a node to a dead address.
 *
 * <p>Reads come from a local copy kept current by an entry listener and the membership listener: a
 * welcome costs no cluster call.
 */
public final class CoordinatorDirectory
    implements MembershipListener,
        EntryAddedListener<String, String>,
        EntryUpdatedListener<String, String>,
        EntryRemovedListener<String, String> {
  public static final String MAP = "waterfall.coordinators";
  private final HazelcastInstance hz;
  private final IMap<String, String> map;
  private final ConcurrentHashMap<String, String> known = new ConcurrentHashMap<>();
  private volatile List<String> urls = List.of();
  private volatile Set<String> live = Set.of();

  /** Blocking (listener registration is a cluster call): call it off the event loop. */
  public CoordinatorDirectory(HazelcastInstance hz) {
    this.hz = hz;
    this.map = hz.getMap(MAP);
    map.addEntryListener(this, true);
    hz.getCluster().addMembershipListener(this);
    refresh();
  }

  /** Blocking: publishes this member's URL and loads the others'. */
  public void register(String url) {
    String self = hz.getCluster().getLocalMember().getUuid().toString();
    map.put(self, url);
    known.putAll(map);
    refresh();
  }

  /** The current members' URLs, oldest member first. */
  public List<String> urls() {
    return urls;
  }

  /** Whether the coordinator with this member id is in the cluster now. */
  public boolean isLive(String memberId) {
    return memberId != null && live.contains(memberId);
  }

  /** The URL of a current member, or null (not a member, or not registered yet). */
  public String urlOf(String memberId) {
    return isLive(memberId) ? known.get(memberId) : null;
  }

  private synchronized void refresh() {
    List<String> out = new ArrayList<>();
    Set<String> members = new HashSet<>();
    for (Member m : hz.getCluster().getMembers()) {
      String id = m.getUuid().toString();
      members.add(id);
      String url = known.get(id);
      if (url != null && !out.contains(url)) {
        out.add(url);
      }
    }
    live = Set.copyOf(members);
    urls = List.copyOf(out);
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    refresh(); // its URL follows when it has bound its port (entryAdded)
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String gone = event.getMember().getUuid().toString();
    known.remove(gone);
    refresh();
    map.removeAsync(gone);
  }

  @Override
  public void entryAdded(EntryEvent<String, String> event) {
    learn(event);
  }

  @Override
  public void entryUpdated(EntryEvent<String, String> event) {
    learn(event);
  }

  @Override
  public void entryRemoved(EntryEvent<String, String> event) {
    known.remove(event.getKey());
    refresh();
  }

  private void learn(EntryEvent<String, String> event) {
    if (event.getValue() != null) {
      known.put(event.getKey(), event.getValue());
      refresh();
    }
  }
}
