package dev.waterfall.loadtest.simulate;

/**
 * What the withholders of one simulated audience did, and what they cost the honest viewers.
 *
 * @param withholders withholders that arrived
 * @param honestHttpShare honest viewer-seconds healed over HTTP because the parent withholds ÷ all
 *     honest viewer-seconds (the stalled time a viewer without HTTP fallback would have had)
 * @param reports {@code starving} reports made
 * @param demotions parents demoted by a second child's report within the window
 * @param inTreeAtEnd withholders in the tree at the end
 * @param demotedAtEnd of them, demoted (leaves for good)
 * @param holdingAtEnd of them, holding at least one child
 * @param heldChildren withholders that held a child at some point
 * @param meanHoldingSeconds of those, mean time spent holding at least one child
 * @param weakLines honest viewers on a weak line that arrived
 * @param weakHttpShare honest viewer-time healed over HTTP under weak lines ÷ all honest
 *     viewer-time
 * @param weakDemotions weak lines demoted (honest parents branded withholders: should be 0)
 */
public record WithholdingResult(
    long withholders,
    double honestHttpShare,
    long reports,
    long demotions,
    long inTreeAtEnd,
    long demotedAtEnd,
    long holdingAtEnd,
    long heldChildren,
    double meanHoldingSeconds,
    long weakLines,
    double weakHttpShare,
    long weakDemotions) {}
