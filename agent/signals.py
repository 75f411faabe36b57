"""Rubric signal detectors over the candidate's turns.

Each detector reads candidate sentences (sentencex spans, so every hit is a verbatim quote
with offsets) and reports numeric features plus the sentences that carry the signal.
The analytic scorer maps features to 0/1/2; the interviewer reads them live to decide
which criterion to probe next. Interviewer turns are never the candidate's evidence (an idea
the interviewer supplies is not the candidate's); they are read only as context: what the
candidate was asked, where the interviewer had to doubt, hint or dig, and how a human
interviewer reacted once a solution was on the table (the interviewer knows whether it is
right; mockloop's own interviewer does not, so its lines are never read that way). Lines aimed
at the grader (injection) are set aside as off-task noise before anything else reads the turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from agent.models import CriterionId, Evidence, MatchKind, RoundKind, Speaker, Transcript

C = CriterionId


@dataclass(frozen=True)
class Sentence:
    turn: int
    start: int
    end: int
    text: str
    index: int  # position among all candidate sentences
    postmortem: bool = False

    def evidence(self) -> Evidence:
        return Evidence(turn=self.turn, quote=self.text, start=self.start, end=self.end,
                        verified=True, match=MatchKind.EXACT)


@dataclass
class Finding:
    """Features and supporting sentences for one criterion."""

    features: dict[str, float] = field(default_factory=dict)
    hits: list[tuple[float, Sentence]] = field(default_factory=list)  # (strength, sentence)
    opportunity: int | None = None  # a turn that shows the missed opportunity
    note: str = ""

    def best(self, n: int = 2) -> list[Sentence]:
        seen, out = set(), []
        for _, s in sorted(self.hits, key=lambda h: (-h[0], h[1].index)):
            if (s.turn, s.start) not in seen:
                seen.add((s.turn, s.start))
                out.append(s)
            if len(out) == n:
                break
        return out


@lru_cache(maxsize=8192)
def segment(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence in `text`, whitespace trimmed. sentencex (Wikimedia's
    rule-based segmenter) returns pieces that join back to the text exactly, so offsets are
    exact; cached because the live interviewer re-reads every earlier turn on each answer."""
    from sentencex import segment as split

    spans, pos = [], 0
    for piece in split("en", text):
        start, pos = pos, pos + len(piece)
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if body:
            spans.append((start + lead, start + lead + len(body)))
    return tuple(spans)


def _rx(*words: str) -> re.Pattern[str]:
    # One shared leading \b for the alternatives that start with it: the engine tests the word
    # boundary once per position instead of once per alternative (~4x faster here).
    bounded = [w[2:] for w in words if w.startswith(r"\b")]
    other = [w for w in words if not w.startswith(r"\b")]
    parts = ([r"\b(?:" + "|".join(bounded) + ")"] if bounded else []) + other
    return re.compile(r"(?:" + "|".join(parts) + r")", re.IGNORECASE)


# ---------------------------------------------------------------- lexicons

INJECTION = _rx(
    r"ignore (?:all |the |any |your )?(?:previous |prior )?(?:instructions|rubric|rules|criteria)",
    r"(?:give|score|rate|mark|award) (?:me|this candidate|the candidate|them)\b.{0,30}\b(?:2|two|full|maximum|max|perfect|12)",
    r"\b(?:note|message|instruction)s? (?:to|for) the (?:ai|grader|scorer|model|evaluator|llm)",
    r"\bsystem (?:prompt|message|override)\b", r"you are now\b", r"\bas an ai\b.{0,40}\bscore",
    r"\[\s*(?:system|admin|grader)\s*\]", r"disregard (?:the|your|all)",
)
QUESTION_START = _rx(
    r"^(?:so,? |and |but |also,? |okay,? |ok,? |first,? |just )?(?:can|could|do|does|did|is|are|was|were|will|would|should|shall|how|what|which|who|where|when|why|may|am i|have|has)\b",
    r"\bcan i (?:ask|assume|check|clarify|confirm)\b", r"\bi (?:wanted|want|'d like) to (?:ask|clarify|confirm|check)\b",
    r"\bquick question\b", r"\bbefore i (?:start|begin|jump|dive)\b",
)
# Questions inside unpunctuated speech ("um okay so is the input sorted and how many ...")
EMBEDDED_QUESTION = _rx(
    r"\b(?:is|are|does|do|can|will|should|could) (?:the|it|they|we|there|this|that|i|you)\b",
    r"\bhow (?:many|much|big|large|often|fast|long)\b", r"\bwhat (?:is|are|about|if|kind)\b",
    r"\bwhich (?:one|kind|story)\b",
)
# A question put as a statement ("I want to know what's filling the disk").
ASK_INTENT = _rx(r"\bi(?:'d| would)? (?:want|like|need) to (?:know|understand|check|confirm|pin down)\b",
                 r"\b(?:a )?(?:couple of|few|some) (?:quick )?questions\b", r"\blet me (?:say|play) it back\b",
                 r"\bi'?m (?:wondering|curious) (?:whether|if|what|how)\b", r"\bi(?:'d| would) ask (?:whether|if|what|how|about)\b")
NOT_CLARIFYING = _rx(r"\brepeat (?:that|the question)\b", r"\bcan you hear\b",
                     r"\bshould i (?:start|continue|go on|write the code)\b", r"\bdoes that make sense\b",
                     r"\bright\?$", r"\bsound (?:good|right|ok)\b", r"\bmakes sense\?$", r"\bany questions\b",
                     r"\bam i on the right track\b", r"\bis that (?:ok|okay|fine|alright)\b")
RESTATE = _rx(
    r"\bto restate\b", r"\brestat", r"\bjust to (?:confirm|clarify|make sure|check)\b",
    r"\bso (?:the|we|you|if i understand)\b.{0,60}\b(?:input|output|need|want|goal|asking)",
    r"\bif i understand\b", r"\blet me make sure\b", r"\bi(?:'ll| will| am going to|'m going to) assume\b",
    r"\bassum(?:e|ing|ption)\b", r"\bto confirm\b", r"\bso the problem is\b", r"\bin other words\b",
    r"\bmy understanding\b", r"\bclarify\b",
)
SCALE = _rx(
    r"\bhow (?:many|much|big|large|often|fast)\b", r"\bscale\b", r"\bvolume\b", r"\bqps\b",
    r"\brps\b", r"\bthroughput\b", r"\blatency\b", r"\bp9[59]\b", r"\bslo\b", r"\bsla\b",
    r"\bmillion|billion|thousand\b", r"\bper (?:second|day|minute|hour|month)\b", r"\bsize\b",
    r"\bsorted\b", r"\bduplicates?\b", r"\bnulls?\b", r"\bempty\b", r"\bconstraints?\b",
    r"\brange\b", r"\bmetric\b", r"\bobjective\b", r"\bsuccess\b", r"\bbudget\b", r"\bteam\b",
    r"\blevel\b", r"\bscope\b", r"\bon-?call\b", r"\bblast radius\b", r"\bcurrent state\b",
    r"\bwhich (?:story|example|kind)\b", r"\bdeadline\b", r"\btimeline\b",
)
SOLUTION = _rx(
    r"\bi(?:'d| would| will|'ll| can| could)? (?:use|sort|build|store|keep|iterate|loop|scan|hash|"
    r"partition|shard|cache|join|group|compute|write|start with|go with|pick|choose|propose|design|"
    r"put|add|roll ?back|restart|check|look at|run|train|model|create|implement|deploy|split)\b",
    r"\bmy approach\b", r"\bthe approach\b", r"\bthe idea is\b", r"\bwe (?:can|could|would|'d|will|'ll) (?:use|"
    r"store|keep|sort|shard|partition|cache|put|have|build|add|roll|run|train|deploy|compute|join|send)\b",
    r"\bselect\b.{0,80}\bfrom\b", r"\bgroup by\b", r"\bpartition by\b", r"\bdef \w+\(", r"\breturn\b",
    r"\bfor \w+ in\b", r"\bhash ?map\b", r"\bheap\b", r"\bqueue\b", r"\bload balancer\b",
    r"\bdatabase\b", r"\bindex\b", r"\bkafka\b", r"\bredis\b", r"\bwindow function\b",
    r"\bthe fix\b", r"\broot cause\b", r"\bi (?:led|owned|wrote|built|proposed|drove|set up|"
    r"organi[sz]ed|scheduled|migrated|reduced|raised|talked|met|created|decided)\b",
)
VALIDATION = _rx(
    r"\bwalk(?:ing)? through\b", r"\btrac(?:e|ing)\b", r"\bdry[- ]run\b", r"\blet me (?:check|test|verify|run)\b",
    r"\bfor example\b", r"\bexample\b", r"\bsanity[- ]check\b", r"\bverif(?:y|ied|ies)\b",
    r"\bcheck(?:ing)? (?:it |this |that )?against\b", r"\btest(?:ed|ing)? (?:it|this|that) (?:with|on)\b",
    r"\bwhich (?:is|gives) (?:right|correct|what we want|the expected)\b", r"\bgives us\b",
    r"\bresult is\b", r"\boutput (?:is|would be)\b", r"\bconfirm(?:s|ed)? (?:it|that|the)\b",
    r"\bback-?test", r"\bholdout\b", r"\bvalidat", r"\bmeasured\b", r"\bwe saw\b", r"\bdropped from\b",
    r"\bwent (?:from|down|up)\b", r"\bplacebo\b", r"\bmatch(?:es|ed)? (?:the|what|our)\b",
    r"\bwhich is (?:sorted|correct|right|expected|what)\b", r"\bas expected\b", r"\breconcil", r"\bbootstrap",
    r"\bre-?run\b", r"\bto show (?:that|the)\b", r"\bcheck (?:the|that|whether)\b", r"\bnear zero\b",
    r"\bconfidence interval\b", r"\bparity\b", r"\bcompare what\b", r"\bbackfill(?:ed)? and compare",
)
GIVE_UP = _rx(
    r"\bi don'?t know\b", r"\bi(?:'m| am) not sure (?:how|what|where)\b", r"\bi can'?t (?:think|figure|get|do|see|remember)\b",
    r"\bi(?:'m| am) stuck\b", r"\bgive up\b", r"\bno idea\b", r"\bi(?:'m| am) blanking\b",
    r"\bi don'?t think i can\b", r"\bcan we (?:skip|move on)\b", r"\bi(?:'d| would) rather stop\b",
    r"\bi(?:'m| am) lost\b",
)
IMPACT = _rx(r"\d+\s?%", r"\b\d+(?:\.\d+)?\s?(?:x|ms|s|seconds|minutes|hours|days|weeks|k|m|gb|tb|\$)\b",
             r"\breduced\b", r"\bincreased\b", r"\bimproved\b", r"\bcut\b", r"\bsaved\b", r"\bfrom \S+ to \S+")
CORRECTION = _rx(
    r"\bthat(?:'s| is) not (?:right|correct|quite right)\b", r"\bthat won'?t work\b", r"\bthere'?s a bug\b",
    r"\bare you sure\b", r"\bthat(?:'s| is) (?:wrong|incorrect)\b", r"\bwhat happens if\b.{0,60}\bbreak",
    r"\bthat would double[- ]count\b", r"\bthis misses\b", r"\bthat doesn'?t (?:handle|work|compile)\b",
    r"\bnot quite\b", r"\bactually,? (?:no|that)\b",
)
COMPLEXITY = _rx(
    r"\bo\([^)]{1,20}\)", r"\bbig[- ]o\b", r"\blinear(?: time)?\b", r"\bquadratic\b", r"\blog(?:arithmic)? ?n?\b",
    r"\bconstant time\b", r"\bn log n\b", r"\bn squared\b", r"\bn\^2\b", r"\btime complexity\b", r"\bspace complexity\b",
)
COST = _rx(
    r"\blatency\b", r"\bthroughput\b", r"\bmemory\b", r"\bcost(?:s|ly)?\b", r"\bexpensive\b", r"\bcheap(?:er)?\b",
    r"\$\d", r"\bdollars?\b", r"\bstorage\b", r"\bcpu\b", r"\bnetwork\b", r"\bmaintain(?:ability|able)?\b",
    r"\boperab", r"\bcomplexity\b", r"\brisk(?:y|ier)?\b", r"\bslower\b", r"\bfaster\b", r"\bscan(?:s|ned)?\b",
    r"\bconsisten(?:cy|t)\b", r"\bavailability\b", r"\baccuracy\b", r"\bprecision\b", r"\brecall\b",
    r"\bbias\b", r"\bvariance\b", r"\boverhead\b", r"\bp9[59]\b", r"\bmilliseconds?\b", r"\bms\b",
    r"\btoil\b", r"\bblast radius\b", r"\bdowntime\b", r"\binterpretab", r"\bfreshness\b", r"\bstaleness\b",
)
ALTERNATIVE = _rx(
    r"\balternative(?:ly|s)?\b", r"\banother (?:option|approach|way)\b", r"\bother option\b", r"\binstead\b",
    r"\bversus\b", r"\bvs\.?\b", r"\btrade-?offs?\b", r"\bon the other hand\b", r"\bcould also\b",
    r"\bthe downside\b", r"\bdownsides?\b", r"\bupside\b", r"\bpros?\b", r"\bcons\b", r"\bcompared (?:to|with)\b",
    r"\bor we could\b", r"\bor i could\b", r"\beither\b", r"\brather than\b", r"\bwhereas\b",
    r"\bwe considered\b", r"\bi considered\b", r"\boptions? (?:were|was|are)\b", r"\btwo options\b",
    r"\bbrute[- ]force\b", r"\bnaive(?:ly)?\b", r"\bfix[- ]forward\b", r"\broll ?back vs\b",
    r"\brather\b", r"\boption (?:one|two|three|a|b|c|1|2|3)\b", r"\bthe (?:first|second|third|other|middle) (?:option|one|path)\b",
    r"\bi could (?:propose|have|do|use|go)\b", r"\bwe could (?:have|also|either|go)\b",
    r"(?:^|[.;:,] )(?:one|two|three|four) is\b", r"\b(?:the )?(?:first|second|third) (?:is|one is)\b",
)
CHOICE = _rx(
    r"\bbecause\b", r"\bgiven (?:the|that|our)\b", r"\bsince (?:we|the|our)\b", r"\bso i(?:'d| would) (?:pick|go|choose|use)\b",
    r"\bi(?:'d| would) (?:pick|choose|go with|prefer)\b", r"\bthat'?s why\b", r"\bwhich is why\b", r"\bwe chose\b",
    r"\bi chose\b", r"\bworth it\b", r"\bfits? (?:the|our) (?:constraint|requirement|budget|slo)", r"\bdepends on\b",
    r"\bgood enough\b", r"\bthe right call\b", r"\bwe decided\b", r"\b(?:i|we) (?:picked|went with|recommended|settled on)\b",
)
EDGE = _rx(
    r"\bempty\b", r"\bnull\b", r"\bnulls\b", r"\bnone\b", r"\bzero\b", r"\bnegative\b", r"\bduplicates?\b",
    r"\boverflow\b", r"\bsingle (?:element|item|row|interval|node|value)\b", r"\bone element\b", r"\bedge cases?\b",
    r"\bcorner cases?\b", r"\bboundar(?:y|ies)\b", r"\bvery large\b", r"\bhuge\b", r"\boff[- ]by[- ]one\b",
    r"\btimeouts?\b", r"\bfail(?:s|ure|ures|ing|over)?\b", r"\bretr(?:y|ies)\b", r"\boutage\b", r"\bdown\b",
    r"\bpartial\b", r"\brace condition\b", r"\bconcurren", r"\bleak(?:age)?\b", r"\bdrift\b", r"\bskew\b",
    r"\bmissing (?:data|values)\b", r"\bimbalance", r"\broll ?back\b", r"\balert(?:s|ing)?\b", r"\bhot (?:key|partition|shard)\b",
    r"\blate[- ]arriving\b", r"\bout[- ]of[- ]order\b", r"\bidempot", r"\bdead[- ]letter\b", r"\bbackpressure\b",
    r"\bsplit[- ]brain\b", r"\bunicode\b", r"\binvalid\b", r"\bmalformed\b", r"\bties?\b", r"\bsmall sample",
    r"\bcold start\b", r"\bnovelty effect\b", r"\bwhat could (?:have )?go(?:ne)? wrong\b", r"\brisks?\b",
    r"\bdata loss\b", r"\bcapacity\b", r"\bthundering herd\b", r"\bcascad", r"\bnan\b",
)
HANDLE = _rx(
    r"\btest(?:s|ed|ing)?\b", r"\bhandle(?:s|d)?\b", r"\bcheck(?:s|ed)? (?:for|if|that|whether)\b", r"\bguard\b",
    r"\breturn (?:early|an empty|empty|none|null|zero|-1)\b", r"\bif (?:the )?\w+ (?:is|are) (?:empty|null|none|zero)\b",
    r"\bassert", r"\bunit test", r"\bwe(?:'d| would) alert\b", r"\bfallback\b", r"\bfall back\b", r"\bcoalesce\b",
    r"\bdedup", r"\bwith jitter\b", r"\bexponential backoff\b", r"\bcircuit breaker\b", r"\bcanary\b",
    r"\bmonitor(?:ing)?\b", r"\bmitigat", r"\bwould do differently\b", r"\bnext time\b", r"\blearn(?:ed|t)\b",
    r"\bi(?:'d| would) add\b", r"\bwe added\b", r"\bvalidate\b", r"\bcap(?:ped)?\b", r"\bclamp\b", r"\btimeout of\b",
    r"\bstratif", r"\bhold[- ]?out\b", r"\bbackfill\b", r"\bdead[- ]letter\b", r"\bis null\b", r"\bnot null\b",
)
STRUCTURE = _rx(
    r"^(?:first|second|third|then|next|finally|lastly)\b", r"\bfirst,", r"\bsecond,", r"\bthree (?:things|parts|steps)\b",
    r"\btwo (?:things|parts|steps)\b", r"\bto summari[sz]e\b", r"\bin short\b", r"\bthe plan is\b", r"\bmy plan\b",
    r"\bhigh[- ]level\b", r"\bstep \d\b", r"\blet me (?:start|outline|structure|summari[sz]e)\b", r"\bthe short answer\b",
    r"\bin summary\b", r"\bto recap\b", r"\bthe bottom line\b", r"\bmy answer is\b",
    r"(?:^|[.;:] )(?:one|two|three|four|five|six),", r"^(?:\w+ ){0,3}\w+[.:]$", r"^(?:\w+ ){0,4}\w+: ",
    r"\b(?:checking|validating|comparing|mapping) (?:that |this |it )?against\b", r"\bfor the (?:write|read) path\b",
    r"\b(?:in|into) (?:two|three|four) (?:parts|steps|pieces|phases)\b", r"\bmy recommendation\b",
    r"\bhere'?s (?:the|my) \w+", r"\b(?:the|my) conclusion\b", r"\bi'?ll (?:talk|walk) (?:you )?through\b",
    r"\b(?:two|three|four|five) (?:\w+ )?(?:things|failure modes|options|risks|parts|steps|points|reasons|changes)\b",
    r"\bthe (?:headline|decision rule|short version)\b", r"\b(?:my )?answer up front\b",
)
CHECK_IN = _rx(
    r"\bdoes that (?:make sense|sound (?:right|good|reasonable)|work for you)\b", r"\bshould i\b", r"\bis that (?:ok|okay|fine|alright)\b",
    r"\bwould you like me to\b", r"\bdo you want me to\b", r"\bany questions\b", r"\bam i on the right track\b",
    r"\bsound good\?", r"\bwant me to go deeper\b", r"\bshall i\b",
    r"\bdoes that (?:match|fit|answer|work)\b", r"\bis that the right (?:framing|direction|track|read|level|scope)\b",
    r"\blet me (?:just )?check (?:that )?i (?:understand|got|have)\b", r"\b(?:do you )?want me to\b",
    r"\bok(?:ay)? (?:if i|to) (?:move|proceed|go|start)\b", r"\bwhich (?:part|one) would you like\b",
)
FILLER = _rx(r"\bum+\b", r"\buh+\b", r"\berm\b", r"\byou know\b", r"\bi mean\b", r"\bsort of\b", r"\bkind of\b",
             r"\bbasically\b", r"\bi guess\b", r"\banyway(?:s)?\b", r"\bwhatever\b", r"\blike,")
DIG = _rx(r"\bcan you (?:elaborate|be more specific|expand|clarify what you mean)\b", r"\bwhat do you mean\b",
          r"\blet me (?:stop|interrupt) you\b", r"\bto be (?:clear|concrete)\b", r"\bcould you be more specific\b",
          r"\bcan you give (?:me )?(?:a|an) (?:concrete|specific)\b", r"\bi'?m not following\b", r"\bbring(?:ing)? you back\b",
          r"\blet'?s focus\b", r"\bwhat (?:exactly|specifically)\b", r"\bsorry,? (?:i didn'?t|what)\b",
          r"\blet'?s slow down\b", r"\b(?:let me|let'?s) (?:pull|bring|get) (?:us|you|this|it) back\b",
          r"\bback to (?:the|my) question\b", r"\bto (?:get|come) back to\b", r"\bin one sentence\b",
          r"\bwhat'?s the (?:short|one-line) answer\b", r"\bcan you be (?:more )?concrete\b",
          r"\bi (?:still )?(?:didn'?t|don'?t) (?:get|catch|hear) (?:a|an|the|your)\b", r"\bstill not sure (?:what|how|which)\b")
PM_GOOD = _rx(r"\bwent well\b", r"\bwhat worked\b", r"\bi did well\b", r"\bgood (?:call|move|part)\b", r"\bstrength",
              r"\bi(?:'m| am) (?:happy|glad|pleased)\b", r"\bhelped\b", r"\bpaid off\b", r"\bworked well\b")
PM_BAD = _rx(r"\bwent (?:badly|poorly|wrong)\b", r"\bi (?:missed|forgot|rushed|struggled|didn'?t|failed|skipped|froze|jumped)\b",
             r"\bmistake\b", r"\bshould have\b", r"\bshould'?ve\b", r"\bweak(?:ness|est)?\b", r"\bbadly\b", r"\bbug\b",
             r"\bnot (?:enough|clear)\b", r"\btoo (?:long|much|late|early|slow)\b", r"\bwasted\b")
PM_CHANGE = _rx(r"\bnext time\b", r"\bwould do differently\b", r"\bi(?:'d| would| will|'ll) (?:start|ask|state|write|test|"
                r"spend|practi[sc]e|clarify|draw|check|time|narrate|slow|begin)\b", r"\bdifferently\b", r"\binstead\b",
                r"\bin the future\b", r"\bgoing forward\b")
PM_STEP = _rx(r"\bpractice\b", r"\bpractise\b", r"\bnext (?:practice|step|session|mock|round)\b", r"\bdrill\b",
              r"\bleetcode\b", r"\bi(?:'ll| will| plan to| am going to|'m going to) (?:do|redo|work|read|review|solve|study|re-?do|schedule|practi)",
              r"\b(?:two|three|\d+) more\b", r"\btimer\b", r"\bthis week\b", r"\btomorrow\b", r"\bmock\b")
PM_GENERIC = _rx(r"\bwent (?:fine|ok|okay|alright|well overall)\b", r"\bcould (?:be|have been) (?:faster|better)\b",
                 r"\boverall (?:good|fine|ok)\b", r"\bnot bad\b", r"\bi think i did (?:ok|okay|fine|well)\b",
                 r"\bneed to practi[sc]e more\b", r"\bmore practice\b")
HEDGE = _rx(r"\bi think\b", r"\bmaybe\b", r"\bprobably\b", r"\bnot (?:sure|certain)\b", r"\bi guess\b",
            r"\bmight work\b", r"\bhopefully\b", r"\bsomething like\b", r"\bi suppose\b")
INCOMPLETE = _rx(
    r"\bdidn'?t (?:get to|finish|handle|have time)\b", r"\bran out of time\b", r"\bnot (?:finished|complete|done)\b",
    r"\bhaven'?t (?:handled|finished|written|tested|covered)\b", r"\btodo\b", r"\bleave (?:that|it) (?:out|for now)\b",
    r"\bwon'?t (?:handle|cover|bother)\b", r"\bskip (?:that|this|the)\b", r"\bfill (?:that|it) in later\b",
    r"\bpseudo-?code\b", r"\bhand-?wav",
)
# The candidate conceding a flaw the interviewer found in the live round.
CONCEDE = _rx(r"\byou'?re right\b", r"\bgood catch\b", r"\bmy mistake\b", r"\boops\b", r"\bi missed that\b",
              r"\bthat'?s a bug\b", r"\bi see the (?:bug|problem|issue)\b", r"\bthat breaks\b", r"\boh,? (?:no|right)\b")
# A turn that only agrees with the interviewer (interviewer-led rounds).
AGREE_ONLY = re.compile(
    r"^\W*(?:yes|yeah|yep|right|sure|ok(?:ay)?|exactly|agreed|true|mm+|uh-?huh|correct|makes sense|"
    r"good (?:point|idea)|that works|that'?s (?:right|true|fair|a good (?:point|idea))|i agree|sounds (?:good|right))\b",
    re.IGNORECASE)
# The interviewer handing over the idea.
HINT = _rx(r"\bwhat if (?:you|we)\b", r"\bhave you considered\b", r"\bwhat about (?:using|a|an|the)\b",
           r"\bhow about\b", r"\byou could (?:use|also|try)\b", r"\bone option (?:is|would be)\b", r"\bhint\b",
           r"\bwouldn'?t (?:it|you|we) (?:be|want|need)\b", r"\bdid you think about\b", r"\bwhat would happen if\b",
           r"\bdon'?t (?:you|we) (?:also )?need\b", r"\bshould(?:n'?t)? we also\b",
           r"\bsome (?:people|teams) use\b", r"\ba common (?:approach|pattern|way|trick)\b", r"\byou'?d usually\b",
           r"\bthink about (?:what|how|whether)\b", r"\bwould (?:a |an )?\w+ help\b", r"\bone reason (?:could|might) be\b",
           r"\byou could\b")
# The interviewer doubting the answer with a pointed question about it.
CHALLENGE = _rx(r"\bisn'?t it\?", r"\bis it\?", r"\bwill (?:it|that|this) (?:still )?(?:work|hold|scale)\b",
                r"\bis that what\b", r"\bare you sure\b", r"\bdoes (?:that|this|it) (?:still )?(?:handle|work|cover|account)\b",
                r"\bwould (?:that|this|it) (?:still )?(?:work|compare|hold|handle)\b", r"\bwhat (?:would|does) (?:that|this|it) return\b",
                r"\bis (?:that|this) (?:the )?(?:mean|right|correct|true)\b", r"\bdo you think\b.{0,80}\?",
                r"\bfor what it'?s worth\b",
                r"\bdoes (?:that|this) change your (?:view|mind|answer|diagnosis|plan)\b", r"\bhow does that fit\b",
                r"\bdoes anything (?:about|in) (?:that|this|the)\b.{0,60}\b(?:worry|concern|stand out|bother|surprise)",
                r"\b(?:doesn'?t|does not|didn'?t|did not) (?:move|change|improve|go away)\b",
                r"\banything (?:about|in) (?:that|this|the) (?:result|number|output|timing)\b")
TEST_WORDS = _rx(r"\btest(?:s|ed|ing)?\b", r"\bassert", r"\btr(?:y|ied) (?:it )?(?:with|on)\b", r"\brun (?:it )?(?:on|with)\b",
                 r"\bwalk(?:ing)? (?:it )?through\b", r"\bwould (?:return|give|output)\b", r"\bexpect(?:ed)?\b")
CODE_LINE = re.compile(r"^\s*(?:def |select |with |for |if |return )", re.IGNORECASE | re.MULTILINE)
NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:%|ms|s|k|m|gb|tb|x|qps|rps|/s)?\b", re.IGNORECASE)
# A choice tied to the stated constraints or goals (not just "because it's standard").
TIED = _rx(r"\bfits?\b", r"\bgiven (?:the|that|our|a|an)\b", r"\bsince (?:we|the|our|it)\b", r"\btarget\b",
           r"\brequirements?\b", r"\bslo\b", r"\bsla\b", r"\bbudget\b", r"\bdeadline\b", r"\bconstraint",
           r"\bat (?:this|our|that) (?:scale|volume|size)\b", r"\bfor (?:this|our) (?:use case|case|team|load)\b",
           r"\bwhich matters\b", r"\bmatters (?:more|here)\b", r"\bworth (?:it|the)\b", r"\bacceptable\b",
           r"\bwithin\b", r"\bunder \d", r"\bthe goal\b", r"\bthe product\b")
WEAK_REASON = _rx(r"\b(?:more |the )?standard\b", r"\bshorter to write\b", r"\beasier to write\b",
                  r"\bi(?:'m| am) (?:more )?familiar\b", r"\bwhat (?:we|i) (?:always )?used?\b", r"\bpopular\b",
                  r"\bbest practice\b", r"\beveryone uses\b", r"\bi just (?:like|prefer)\b", r"\bi always\b",
                  r"\bfelt (?:like )?(?:the )?(?:safer|right|better|cleaner)\b", r"\bi (?:thought|think|feel) (?:the |it |that )?[\w-]+ (?:was|is) (?:better|fine|nicer)\b",
                  r"\bgut feeling\b", r"\bjust (?:works|seemed)\b", r"\bmore modern\b",
                  r"\bthe obvious (?:choice|pick|one|answer)\b", r"\b(?:documented|official|usual) (?:procedure|way|approach)\b",
                  r"\bout of habit\b", r"\bwhat the team (?:knows|uses)\b", r"\bwe(?:'ve)? always\b", r"\bon feel\b")
# A failure handled in a conditional: "if the slot lags, I'd alert and re-snapshot".
CONDITION = _rx(r"\bif\b", r"\bwhen\b", r"\bunless\b", r"\bin case\b", r"\bpast the\b", r"\bonce\b")
REACTION = _rx(r"\bi'?d\b", r"\bwe'?d\b", r"\b(?:i|we) would\b", r"\breturns?\b", r"\bskip", r"\bdrop", r"\balert",
               r"\bpage\b", r"\bpauses?\b", r"\bstop", r"\bretr(?:y|ies)\b", r"\breject", r"\bfall(?:s)? ?back\b",
               r"\bdefault\b", r"\bemit", r"\bquarantin", r"\bblock", r"\braise", r"\bthrow", r"\bcount (?:them|it)\b",
               r"\bclamp", r"\bcap\b", r"\bdedup", r"\broll(?:s)? ?back\b", r"\bkill switch\b", r"\bmitigat", r"\bsafeguard",
               r"\brunbook\b", r"\bre-?snapshot", r"\bre-?try", r"\bignore", r"\bfilter")
# A consequence in a trace ("... so next jumps to 16", "the length drops to 2").
STEP = _rx(r"\bso\b", r"\bthen\b", r"\bwhich (?:is|gives|means)\b", r"\bgives?\b", r"\breturns?\b", r"\bbecomes?\b",
           r"\bdrops?\b", r"\bgoes (?:up|down|to)\b", r"\bjumps?\b", r"\bpops?\b", r"\bpush(?:es)?\b", r"->", r"=",
           r"\boutput\b", r"\bnow\b")
# A quantity with a unit: the concrete cost of an option (time, money, size, rate, effort).
QUANT = _rx(r"\b(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|ten|twenty|a few|several|a hundred|a thousand)[\s-]?"
            r"(?:%|x|ms|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|sprints?|months?|years?|gb|tb|mb|k|m|"
            r"euros?|dollars?|pounds?|requests?|rows|nodes|servers|machines|engineers|people|times|round trips?|bytes)\b",
            r"[$€£]\s?\d")
# Explicit guards in code or queries: the edge case handled, not just named.
GUARD = re.compile(r"(?:\bif not \w+|\bis None\b|\bcoalesce\(|\bis (?:not )?null\b|\bnullif\(|\bexcept \w*|"
                   r"\braise \w+|\bassert \w+|len\(\w+\) ?(?:==|<=?) ?[012]\b|\bif \w+ is None\b|"
                   r"\bif len\(|\bmin\(|\bmax\()", re.IGNORECASE)
# How the rubric reads edge cases and tradeoffs outside technical rounds.
BLOCKERS = _rx(r"\bnotice (?:period)?\b", r"\bvisa\b", r"\bsponsor", r"\breloca", r"\bstart date\b",
               r"\b(?:other|competing) (?:offers?|processes|interviews)\b", r"\bnon-?compete\b",
               r"\bcommute\b", r"\bwork (?:permit|authori[sz]ation)\b", r"\bclearance\b",
               r"\bgarden(?:ing)? leave\b", r"\bparental leave\b", r"\bdeal[- ]?breaker\b",
               r"\bcan(?:'t| ?not) (?:start|move|relocate)\b", r"\bblocker\b", r"\bon-?call\b")
PRIORITIES = _rx(r"\bpriorit", r"\bprefer", r"\bmore important\b", r"\bmatters? (?:more|most)\b",
                 r"\bflexib", r"\bnon-?negotiable\b", r"\bcompensation\b", r"\bsalary\b", r"\bequity\b",
                 r"\bbase\b", r"\bremote\b", r"\bhybrid\b", r"\btrade(?:-| )?off\b", r"\bwilling to\b",
                 r"\bin exchange\b", r"\bover (?:a|the) (?:higher|bigger)\b")
STORY_RISK = _rx(r"\bcould have gone wrong\b", r"\bwhat (?:could|might) go wrong\b", r"\bin hindsight\b",
                 r"\bdifferently\b", r"\blesson", r"\bthe risk\b", r"\bworst case\b", r"\bif it had\b",
                 r"\bfallback plan\b", r"\bplan b\b", r"\bcontingenc")
# The interviewer asking for edge cases, tests or failure modes; an answer that names none
# declines the opening.
EDGE_PROMPT = _rx(r"\bwhat else (?:would|could|should|do) you (?:test|check|try)\b", r"\bedge cases?\b",
                  r"\bcorner cases?\b", r"\bhow (?:would|do|will) you test\b", r"\bwhat (?:could|might|can) go wrong\b",
                  r"\bwhat (?:could|might) have gone wrong\b", r"\bwhat would you (?:test|check)\b",
                  r"\bfailure modes?\b", r"\bwhat (?:happens|would happen) (?:if|when)\b",
                  r"\banything (?:else )?(?:to|you'?d|you would) (?:test|check)\b", r"\bbefore (?:you ship|shipping)\b",
                  r"\bwhat would you do differently\b", r"\bwhat are the risks\b", r"\bhow could (?:this|it) fail\b")
# The interviewer asking for the alternatives or the reason for a choice: tradeoffs given
# only then were not volunteered.
TRADEOFF_PROMPT = _rx(r"\bwhy not\b", r"\bwhat about\b", r"\bhave you considered\b", r"\balternatives?\b",
                      r"\bwhy (?:did|would) you (?:choose|pick|use|go with)\b", r"\btrade-?offs?\b",
                      r"\bcompare\b", r"\bother options?\b", r"\bany other (?:way|approach)\b", r"\bwhy this\b")
COMPLEXITY_PROMPT = _rx(r"\bcomplexity\b", r"\bhow (?:does|would) (?:it|this|that) scale\b", r"\bbig[- ]o\b",
                        r"\bhow (?:fast|expensive|much memory)\b", r"\bwhat (?:does|would) (?:it|that|this) cost\b")
# The candidate's own post-mortem reporting that the solution was wrong or broken.
ADMITS_WRONG = _rx(r"\bbug(?:gy|s)?\b", r"\bwrong\b", r"\bincorrect\b", r"\b(?:doesn'?t|didn'?t|does not|did not) work\b",
                   r"\bbroken\b", r"\bbreaks\b", r"\bnot correct\b", r"\bdouble[- ]count", r"\boff[- ]by[- ]one\b",
                   r"\bflawed\b", r"\bmisdiagnos", r"\bnot the (?:real |actual )?(?:root )?cause\b",
                   r"\bwould (?:have )?(?:fail|failed|break|broken)\b", r"\breturns? the wrong\b")
# Off-topic stories and digressions (outside behavioral rounds, where the story is the answer).
DIGRESSION = _rx(r"\bback when\b", r"\bat my (?:last|old|previous|first) (?:job|company|place|team)\b",
                 r"\bi remember (?:when|one time|once)\b", r"\bfunny (?:story|thing)\b", r"\breminds me\b",
                 r"\blong story short\b", r"\bon a (?:side|tangent)\b", r"\btangent\b", r"\bwhere was i\b",
                 r"\bas i was saying\b", r"\banyway(?:s)?\b", r"\bbut yeah\b", r"\bi digress\b",
                 r"\bor something\b", r"\band stuff\b", r"\bblah\b", r"\bet cetera\b", r"\betc\b")
TECH = re.compile(r"\b(?:[A-Z]{2,}[A-Za-z0-9]*|\w+_\w+|\w+\(\)|O\([^)]+\)|\d+(?:\.\d+)?)\b")
WORD = re.compile(r"\b[\w']+\b")
WH_QUESTION = re.compile(r"\b(?:why|what|how|which|when|where|walk me|tell me|explain)\b", re.IGNORECASE)
# An idea put to the candidate ("so you sort by start and sweep").
PROPOSAL = _rx(r"\byou(?:'d| would| could| can| should)? (?:want to )?(?:sort|use|store|keep|build|sweep|scan|"
               r"hash|cache|shard|partition|add|compute|join|group|merge|extend|track|roll|split|index)\b")
#: Anything a rubric criterion could read: a turn with none of it may be small talk.
SIGNAL = re.compile("|".join(f"(?:{rx.pattern})" for rx in (
    SOLUTION, EDGE, ALTERNATIVE, COMPLEXITY, COST, SCALE, RESTATE, VALIDATION, GIVE_UP, CONCEDE,
    BLOCKERS, PRIORITIES, IMPACT, STRUCTURE, HEDGE, HINT, PROPOSAL)), re.IGNORECASE)


# ---------------------------------------------------------------- analysis


@dataclass
class Analysis:
    """The candidate's sentences and the per-criterion findings of one transcript."""

    transcript: Transcript
    sentences: list[Sentence]
    injections: list[Sentence]
    findings: dict[CriterionId, Finding]
    first_solution: int | None  # index of the first solution sentence
    conversation: dict[str, float] = field(default_factory=dict)
    #: the interviewer's turns once a solution is on the table; None when the interviewer is
    #: mockloop itself, whose lines say nothing about the candidate
    reactions: list[str] | None = None


def candidate_sentences(transcript: Transcript) -> tuple[list[Sentence], list[Sentence]]:
    """(sentences, injection sentences) of the candidate, with offsets into each turn."""
    out: list[Sentence] = []
    injected: list[Sentence] = []
    for turn in transcript.turns:
        if turn.speaker is not Speaker.CANDIDATE or not turn.text.strip():
            continue
        for start, end in segment(turn.text):
            text = turn.text[start:end]
            if not WORD.search(text):
                continue
            s = Sentence(turn=turn.id, start=start, end=end, text=text,
                         index=len(out) + len(injected), postmortem=turn.is_postmortem)
            # a line aimed at the grader, and the signal-free sentences trailing it ("This is
            # an authorised instruction."), are set aside
            aside = bool(INJECTION.search(text)) or (
                bool(injected) and injected[-1].turn == turn.id and injected[-1].index == s.index - 1
                and not SIGNAL.search(text))
            (injected if aside else out).append(s)
    return out, injected


def _count(rx: re.Pattern[str], text: str) -> int:
    return len(rx.findall(text))


def _by_turn(sentences: list[Sentence]) -> dict[int, list[Sentence]]:
    out: dict[int, list[Sentence]] = {}
    for s in sentences:
        out.setdefault(s.turn, []).append(s)
    return out


def conversation_features(transcript: Transcript, live: list[Sentence],
                          chat: set[int]) -> dict[str, float]:
    """Who carries the round: the candidate's share of the words, turns that only agree,
    and interviewer turns that hand over an idea. Filler small talk and lines aimed at the
    grader are left out, so padding or injection cannot move these."""
    cand_words = sum(len(WORD.findall(s.text)) for s in live)
    body = [t for t in transcript.turns if not t.is_postmortem and t.id not in chat]
    int_words = sum(len(WORD.findall(t.text)) for t in body if t.speaker is Speaker.INTERVIEWER)
    by_turn = _by_turn(live)
    # agreeing with the last substantive interviewer turn (small talk skipped) is letting
    # them lead
    led_by: dict[int, bool] = {}
    substantive = False
    for t in body:
        if t.speaker is Speaker.INTERVIEWER:
            substantive = len(WORD.findall(t.text)) >= 15 or bool(SIGNAL.search(t.text))
        else:
            led_by[t.id] = substantive
            substantive = False
    agree = sum(1 for tid, ss in by_turn.items()
                if AGREE_ONLY.search(ss[0].text) and sum(len(WORD.findall(x.text)) for x in ss) <= 25
                and led_by.get(tid, False))
    hints = sum(1 for t in body if t.speaker is Speaker.INTERVIEWER and HINT.search(t.text))
    return {"candidate_share": round(cand_words / max(cand_words + int_words, 1), 4),
            "agree_turns": min(agree, 5), "agree_share": round(agree / max(len(by_turn), 1), 4),
            "interviewer_hints": min(hints, 5), "candidate_turns": min(len(by_turn), 12)}


def interviewer_prompts(transcript: Transcript, chat: set[int]) -> dict[int, str]:
    """For each candidate turn, the last interviewer turn before it (small talk skipped):
    what the candidate was answering."""
    out: dict[int, str] = {}
    last = ""
    for t in transcript.turns:
        if t.id in chat or t.is_postmortem:
            continue
        if t.speaker is Speaker.INTERVIEWER:
            last = t.text
        else:
            out[t.id] = last
    return out


AFFIRM = re.compile(r"^\W*(?:good|great|nice|perfect|excellent|exactly|correct|right|yes|yep|"
                    r"that works|that'?s right|makes sense|fair|solid|love|cool)\b", re.IGNORECASE)


def interviewer_reactions(transcript: Transcript, chat: set[int],
                          first_solution_turn: int | None) -> list[str] | None:
    """What the interviewer said once the candidate had a solution on the table (small talk
    skipped). A human interviewer's reactions ("Good, that works." or a pointed "Suppose V2
    sends at 5,000: what does it return?") carry their judgement of the answer; mockloop's own
    interviewer follows a plan, so for its transcripts this is None."""
    if transcript.by_mockloop:
        return None
    if first_solution_turn is None:
        return []
    return [t.text for t in transcript.turns
            if t.speaker is Speaker.INTERVIEWER and t.id > first_solution_turn
            and t.id not in chat and not t.is_postmortem]


def small_talk_turns(transcript: Transcript, sentences: list[Sentence]) -> set[int]:
    """Turns of off-task small talk ("can you hear me?" / "yes, fine now"): a short candidate
    reply with no rubric signal to a short interviewer line, and that interviewer line. They
    carry no substance, so no feature reads them and padding cannot move a score."""
    words = {t.id: len(WORD.findall(t.text)) for t in transcript.turns}
    speaker = {t.id: t.speaker for t in transcript.turns}
    text = {t.id: t.text for t in transcript.turns}
    by_turn = _by_turn(sentences)
    out: set[int] = set()
    kept: list[int] = []  # turns that are not small talk, in order
    for t in transcript.turns:
        if t.speaker is Speaker.CANDIDATE and t.id not in by_turn:
            continue  # a turn that is all set aside changes nothing
        prev = kept[-1] if kept else None
        if (t.speaker is Speaker.CANDIDATE and not t.is_postmortem and words[t.id] <= 25
                and prev is not None and speaker[prev] is Speaker.INTERVIEWER
                and words[prev] <= 15
                and not (SIGNAL.search(text[prev]) or WH_QUESTION.search(text[prev]))
                and not any(SIGNAL.search(s.text) for s in by_turn[t.id])):
            out |= {t.id, kept.pop()}
            continue
        kept.append(t.id)
    return out


def analyse(transcript: Transcript) -> Analysis:
    sents, injected = candidate_sentences(transcript)
    chat = small_talk_turns(transcript, sents)
    sents = [s for s in sents if s.turn not in chat]
    live = [s for s in sents if not s.postmortem]
    pm = [s for s in sents if s.postmortem]
    solution = next((s for s in live if SOLUTION.search(s.text)), None)
    first_solution = solution.index if solution else None
    rk = transcript.round
    conv = conversation_features(transcript, live, chat)
    asked = interviewer_prompts(transcript, chat)
    reactions = interviewer_reactions(transcript, chat, solution.turn if solution else None)
    f = {
        C.REQUIREMENTS: _requirements(live, first_solution, rk),
        C.CORRECTNESS: _correctness(live, transcript, first_solution, rk, pm, reactions),
        C.TRADEOFFS: _tradeoffs(live, rk, asked),
        C.EDGE_CASES: _edge_cases(live, rk, asked),
        C.COMMUNICATION: _communication(live, transcript, injected, chat),
        C.POSTMORTEM: _postmortem(pm),
    }
    for cid in (C.REQUIREMENTS, C.CORRECTNESS, C.TRADEOFFS, C.EDGE_CASES, C.COMMUNICATION):
        f[cid].features.update(conv)
    first_cand = next((t.id for t in transcript.turns if t.speaker is Speaker.CANDIDATE), None)
    for finding in f.values():
        if finding.opportunity is None:
            finding.opportunity = first_cand
    return Analysis(transcript, sents, injected, f, first_solution, conv, reactions)


def _unpunctuated(sentences: list[Sentence]) -> bool:
    """Speech-to-text output often has no punctuation: then a question has no '?'."""
    words = sum(len(WORD.findall(s.text)) for s in sentences)
    marks = sum(s.text.count(c) for s in sentences for c in ".?!")
    return words > 40 and marks < words / 60


def _is_clarifying(s: Sentence, unpunctuated: bool = False) -> bool:
    t = s.text
    asks = (t.rstrip().endswith("?") or bool(QUESTION_START.search(t) and "?" in t)
            or (unpunctuated and bool(EMBEDDED_QUESTION.search(t))) or bool(ASK_INTENT.search(t)))
    return asks and not NOT_CLARIFYING.search(t) and len(WORD.findall(t)) >= 3


def _requirements(live: list[Sentence], first_solution: int | None,
                  rk: RoundKind | None) -> Finding:
    f = Finding()
    cutoff = first_solution if first_solution is not None else 10**9
    early = late = restate = scale = 0
    bare = _unpunctuated(live)
    for s in live:
        is_q = _is_clarifying(s, bare)
        before = s.index <= cutoff
        has_scale = bool(SCALE.search(s.text))
        if is_q:
            if before:
                early += 1
                f.hits.append((2.0 + has_scale, s))
            else:
                late += 1
                f.hits.append((1.0, s))
            scale += has_scale
        if RESTATE.search(s.text):
            restate += 1
            f.hits.append((1.5 if before else 0.8, s))
    f.features = {"early_questions": min(early, 6), "late_questions": min(late, 4),
                  "restates": min(restate, 4), "scale_questions": min(scale, 4),
                  "asked_any": float(early + late > 0),
                  "asked_before_solution": float(early > 0 and first_solution is not None)}
    return f


def _correctness(live: list[Sentence], t: Transcript, first_solution: int | None,
                 rk: RoundKind | None, pm: list[Sentence],
                 reactions: list[str] | None) -> Finding:
    f = Finding()
    solution = validation = gaveup = impact = hedge = incomplete = concede = 0
    words = sum(len(WORD.findall(s.text)) for s in live)
    for s in live:
        if SOLUTION.search(s.text):
            solution += 1
            f.hits.append((1.0 + 0.5 * bool(TECH.search(s.text)), s))
        if VALIDATION.search(s.text):
            validation += 1
            f.hits.append((2.0, s))
        if IMPACT.search(s.text):
            impact += 1
            f.hits.append((1.2 if rk is RoundKind.BEHAVIORAL else 0.5, s))
        if GIVE_UP.search(s.text):
            gaveup += 1
        hedge += bool(HEDGE.search(s.text))
        incomplete += bool(INCOMPLETE.search(s.text))
        concede += bool(CONCEDE.search(s.text))
    corrections = sum(1 for turn in t.turns if turn.speaker is Speaker.INTERVIEWER
                      and CORRECTION.search(turn.text))
    challenges = sum(1 for turn in t.turns if turn.speaker is Speaker.INTERVIEWER
                     and CHALLENGE.search(turn.text))
    # a worked example: concrete values stepped through after the solution is on the table
    after = first_solution if first_solution is not None else 10**9
    worked = sum(1 for s in live if s.index >= after and len(NUMBER.findall(s.text)) >= 2
                 and STEP.search(s.text))
    code = sum(1 for turn in t.turns if turn.speaker is Speaker.CANDIDATE and not turn.is_postmortem
               and ("```" in turn.text or CODE_LINE.search(turn.text)))
    technical = rk not in (RoundKind.BEHAVIORAL, RoundKind.RECRUITER_SCREEN)
    f.features = {"solution_sentences": min(solution, 12), "validation": min(validation, 4),
                  "gave_up": min(gaveup, 3), "corrections": min(corrections, 3),
                  "impact": min(impact, 4), "candidate_words_log": _log(words),
                  "has_solution": float(solution > 0), "hedges": min(hedge, 4),
                  "incomplete": min(incomplete, 3), "concedes": min(concede, 3),
                  "code_turns": min(code, 3),
                  "validated_solution": float(solution > 0 and validation > 0),
                  "story_impact": min(impact, 4) * (not technical),
                  "challenges": min(challenges, 4), "worked_steps": min(worked, 4),
                  "clean_validated": float(solution > 0 and validation > 0 and not (
                      challenges or gaveup or incomplete or concede)),
                  # the candidate's own later report that the answer was wrong
                  "pm_admits_wrong": min(sum(bool(ADMITS_WRONG.search(s.text)) for s in pm), 3)}
    if reactions is not None:  # absent for our own interviewer: the scorer reads it as neutral
        f.features["interviewer_affirms"] = min(sum(bool(AFFIRM.search(r)) for r in reactions), 4)
    return f


def _tradeoffs(live: list[Sentence], rk: RoundKind | None, asked: dict[int, str]) -> Finding:
    f = Finding()
    comp = cost = alt = choice = costed_alt = quantified = volunteered = 0
    recruiter = rk is RoundKind.RECRUITER_SCREEN
    turns: dict[int, list[tuple[bool, int, bool, bool]]] = {}
    weak = 0
    answered: set[int] = set()  # turns that name an option, a complexity or a cost
    for s in live:
        a, c, k, ch = (bool(ALTERNATIVE.search(s.text)), bool(COMPLEXITY.search(s.text)),
                       _count(COST, s.text), bool(CHOICE.search(s.text)))
        if a or c or k:
            answered.add(s.turn)
        if recruiter:  # priorities and constraints (location, timing, money) are the costs here
            k += _count(PRIORITIES, s.text)
        alt += a
        volunteered += a and not TRADEOFF_PROMPT.search(asked.get(s.turn, ""))
        comp += c
        cost += min(k, 2)
        choice += ch and (a or c or k > 0)
        strength = 1.5 * a + 1.0 * c + 0.5 * min(k, 2) + 0.7 * (ch and (a or c or k > 0))
        if strength >= 1.0:
            f.hits.append((strength, s))
        costed_alt += a and (c or k > 0)
        quantified += (a or c or k > 0 or ch) and bool(c or QUANT.search(s.text))  # O(n log n) is concrete too
        weak += ch and bool(WEAK_REASON.search(s.text))
        turns.setdefault(s.turn, []).append(
            (a or c, min(k + c, 3), ch, bool(TIED.search(s.text) or NUMBER.search(s.text))))
    declined = _declined(live, asked, (TRADEOFF_PROMPT, COMPLEXITY_PROMPT), answered)
    # A comparison spans sentences: an option and its costs in one answer, then the choice.
    comparisons = tied = 0
    for sig in turns.values():
        options = sum(x[0] for x in sig)
        costs = sum(x[1] for x in sig)
        if options and costs >= 2:
            comparisons += 1
            tied += any(x[2] and x[3] for x in sig)
    f.features = {"alternatives": min(alt, 5), "complexity": min(comp, 4), "cost_terms": min(cost, 8),
                  "justified_choices": min(choice, 4), "any_alternative": float(alt > 0),
                  "costed_alternatives": min(costed_alt, 4), "quantified": min(quantified, 4),
                  "comparison_turns": min(comparisons, 4), "tied_choices": min(tied, 3),
                  "weak_reasons": min(weak, 2), "volunteered_alternatives": min(volunteered, 4),
                  "declined_prompts": min(declined, 3),
                  # options compared on costs with the choice tied to a constraint, on its merits
                  "tied_comparison": float(tied >= 1 and weak == 0)}
    return f


def _declined(live: list[Sentence], asked: dict[int, str], prompts: tuple[re.Pattern[str], ...],
              answered: set[int]) -> int:
    """Candidate turns that answer an interviewer prompt for this criterion (any of `prompts`)
    without touching it: the turn is not among `answered`."""
    return sum(1 for tid in {s.turn for s in live}
               if tid not in answered and any(p.search(asked.get(tid, "")) for p in prompts))


def _edge_cases(live: list[Sentence], rk: RoundKind | None, asked: dict[int, str]) -> Finding:
    f = Finding()
    named = handled = distinct = tested = 0
    kinds: set[str] = set()
    half = live[len(live) // 2].index if live else 0
    for s in live:
        edges = {m.lower() for m in EDGE.findall(s.text)}
        h = bool(HANDLE.search(s.text))
        if rk is RoundKind.RECRUITER_SCREEN:
            # blockers (notice, visa, relocation) raised early are the recruiter-round edge cases
            blockers = {m.lower() for m in BLOCKERS.findall(s.text)}
            edges |= blockers
            h = h or bool(blockers and s.index <= half)
        elif rk is RoundKind.BEHAVIORAL:
            risks = {m.lower() for m in STORY_RISK.findall(s.text)}
            edges |= risks
            h = h or bool(risks and HANDLE.search(s.text))
        if edges:
            named += 1
            kinds |= edges
            handled += h
            f.hits.append((1.0 + 1.0 * h + 0.3 * min(len(edges), 3), s))
            tested += bool(TEST_WORDS.search(s.text))
    distinct = len(kinds)
    declined = _declined(live, asked, (EDGE_PROMPT,), {s.turn for _, s in f.hits})
    guards = sum(len(GUARD.findall(s.text)) for s in live)
    conditional = 0
    for s in live:
        if (not s.text.rstrip().endswith("?") and CONDITION.search(s.text) and REACTION.search(s.text)):
            conditional += 1
            f.hits.append((1.2, s))
    f.features = {"edge_sentences": min(named, 8), "handled": min(handled, 6),
                  "distinct_edges": min(distinct, 8), "any_edge": float(named > 0),
                  "tested": min(tested, 4), "named_only": min(max(named - handled, 0), 6),
                  "guards": min(guards, 4), "declined_prompts": min(declined, 3),
                  "conditional_handling": min(conditional, 6),
                  # the rubric's level-2 pattern in one flag: several edge cases, handled and tested
                  "handled_and_tested": float(tested >= 1 and handled >= 1 and distinct >= 3)}
    return f


def _communication(live: list[Sentence], t: Transcript, injected: list[Sentence],
                   chat: set[int]) -> Finding:
    f = Finding()
    # turn lengths from the candidate's own sentences: lines aimed at the grader and small
    # talk are not part of how they explain
    turns = list(_by_turn(live).values())
    lengths = [sum(len(WORD.findall(s.text)) for s in ss) for ss in turns] or [0]
    words = sum(lengths)
    # a long answer is fine when it is signposted (a STAR story); rambling is long and flat
    rambling = sum(1 for ss, n in zip(turns, lengths, strict=False)
                   if n > 150 and not any(STRUCTURE.search(s.text) for s in ss))
    filler = sum(_count(FILLER, s.text) for s in live)
    # conclusion first: a substantive answer that opens with a short, plain sentence
    long_answers = [ss for ss, n in zip(turns, lengths, strict=False) if n >= 40]
    upfront = sum(1 for ss in long_answers if len(WORD.findall(ss[0].text)) <= 20
                  and not (FILLER.search(ss[0].text) or HEDGE.search(ss[0].text)
                           or DIGRESSION.search(ss[0].text)))
    stories = t.round is RoundKind.BEHAVIORAL  # there the story is the answer
    digressions = 0 if stories else sum(_count(DIGRESSION, s.text) for s in live)
    structure = checkin = 0
    for s in live:
        st, ci = bool(STRUCTURE.search(s.text)), bool(CHECK_IN.search(s.text))
        structure += st
        checkin += ci
        if st or ci:
            f.hits.append((1.0 + st + 0.5 * ci, s))
    digs = sum(1 for x in t.turns if x.speaker is Speaker.INTERVIEWER and x.id not in chat
               and DIG.search(x.text)) + _repeated_questions(t, chat)
    f.features = {
        "mean_turn_words_log": _log(words / len(lengths)),
        "max_turn_words_log": _log(max(lengths)),
        "filler_rate": min(filler / max(words, 1) * 100, 10.0),
        "structure": min(structure, 5), "check_ins": min(checkin, 4), "digs": min(digs, 4),
        "injection": float(bool(injected)),
        "long_turns": float(sum(1 for n in lengths if n > 220)),
        "rambling_turns": min(rambling, 3),
        "hedge_rate": min(sum(_count(HEDGE, s.text) for s in live) / max(words, 1) * 100, 10.0),
        "unpunctuated": float(_unpunctuated(live)),
        "short_answers": round(sum(1 for n in lengths if n < 12) / max(len(lengths), 1), 4),
        "conclusion_first": round(upfront / len(long_answers), 4) if long_answers else 0.0,
        "digression_rate": min(digressions / max(words, 1) * 100, 5.0),
    }
    if not f.hits and live:
        # a clear answer with no signposting still shows how the candidate communicates
        f.hits.append((0.1, max(live, key=lambda s: min(len(s.text), 200))))
    return f


_STOP = frozenset(re.findall(r"\w+", """a an the and or but so to of in on at for with is are was were be
    it its this that you your we i me my what how why which when where do did does can could would will
    there their they them then than as by from about any"""))


def _repeated_questions(t: Transcript, chat: set[int]) -> int:
    """Interviewer questions that ask again what an earlier interviewer turn asked: the
    answer did not come the first time."""
    seen: set[str] = set()
    repeats = 0
    for x in t.turns:
        if x.speaker is not Speaker.INTERVIEWER or x.id in chat:
            continue
        for q in re.findall(r"[^.?!]*\?", x.text):
            words = {w.lower() for w in WORD.findall(q)} - _STOP
            if words and len(words & seen) / len(words) >= 0.75:
                repeats += 1
        seen |= {w.lower() for w in WORD.findall(x.text)} - _STOP
    return repeats


def _postmortem(pm: list[Sentence]) -> Finding:
    f = Finding()
    if not pm:
        f.features = {"present": 0.0, "words_log": 0.0, "good": 0.0, "bad": 0.0, "change": 0.0,
                      "step": 0.0, "generic": 0.0, "specific_terms": 0.0}
        f.note = "no post-mortem"
        return f
    text = " ".join(s.text for s in pm)
    good = sum(bool(PM_GOOD.search(s.text)) for s in pm)
    bad = sum(bool(PM_BAD.search(s.text)) for s in pm)
    change = sum(bool(PM_CHANGE.search(s.text)) for s in pm)
    step = sum(bool(PM_STEP.search(s.text)) for s in pm)
    generic = sum(bool(PM_GENERIC.search(s.text)) for s in pm)
    specific = len(TECH.findall(text))
    for s in pm:
        strength = (bool(PM_GOOD.search(s.text)) + bool(PM_BAD.search(s.text))
                    + bool(PM_CHANGE.search(s.text)) + 1.2 * bool(PM_STEP.search(s.text))
                    + 0.3 * min(len(TECH.findall(s.text)), 3))
        f.hits.append((strength + 0.1, s))
    f.features = {"present": 1.0, "words_log": _log(len(WORD.findall(text))), "good": min(good, 3),
                  "bad": min(bad, 3), "change": min(change, 3), "step": min(step, 3),
                  "generic": min(generic, 3), "specific_terms": min(specific, 10)}
    return f


def _log(x: float) -> float:
    import math

    return round(math.log1p(max(x, 0.0)), 4)


def coverage(transcript: Transcript) -> dict[CriterionId, float]:
    """Live rubric coverage, 0-1 per criterion, for the interviewer's next move."""
    a = analyse(transcript)
    f = a.findings
    def sat(x: float, k: float) -> float:
        return min(x / k, 1.0)
    return {
        C.REQUIREMENTS: sat(f[C.REQUIREMENTS].features["early_questions"]
                            + f[C.REQUIREMENTS].features["restates"], 3),
        C.CORRECTNESS: sat(f[C.CORRECTNESS].features["has_solution"]
                           + f[C.CORRECTNESS].features["validation"], 2),
        C.TRADEOFFS: sat(f[C.TRADEOFFS].features["alternatives"]
                         + f[C.TRADEOFFS].features["complexity"], 2),
        C.EDGE_CASES: sat(f[C.EDGE_CASES].features["handled"]
                          + 0.5 * f[C.EDGE_CASES].features["edge_sentences"], 2),
        C.COMMUNICATION: sat(f[C.COMMUNICATION].features["structure"]
                             + f[C.COMMUNICATION].features["check_ins"], 2),
        C.POSTMORTEM: f[C.POSTMORTEM].features["present"],
    }
