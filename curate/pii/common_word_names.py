"""Given names of the US census 1990 list (package `names`) that are also ordinary lower-case
English words: the lower-case entries of SCOWL's american-english word list (Debian package
wamerican 2020.12.07) found in the census first-name files, 346 words. Capitalised, they start
sentences and headings ("Will you", "May I", "Grace Period", "Max Limit"), so the name list of
`curate.pii.names` does not count them as persons on its own (spaCy's NER still may).
"""

COMMON_WORD_NAMES = frozenset("""
abbey aide aline alpha amber an angel angelic angle art august aura autumn barb barney basil
beau bee bell belle berry beryl bill billy birdie blanch blossom bob bobby bong bonnie bonny
brad brain brandy brook brooks buck bud buddy bunny buster camellia candy caprice carmine carol
carry celesta chad chance charity chase chastity cherish cherry chi chin china christen chuck
clay clement cliff colleen conception coral coy crystal curt dahlia daisy dale dawn dean deb
dell delta derrick desire destiny diamond dick dimple dirk dolly don dot dotty drew dung dusty
earl earnest ebony echo ed eddy else emerald emery era ester eve fairy faith fanny fawn fern
flora forest foster frank freeman gala gale garland garnet garret gay gene genesis genie ginger
glen glory golden grace grant guy ha hang hank harmony harry hazel heath heather hector herb
holly homer honey hope hue hung hunter hyacinth in iris ivory ivy jack jade jarred jasmine
jasper jay jewel jimmy john josh joy julienne junior karma ken king kit kitty lacy lady lance
lane laurel lea lean lee liberty lien lily loan long lore love ma magnolia major man manual
many maple margarita maria marina marine mark marlin marquis marry martin marvel mason matt max
maxima may meg melody mercy merry meta mi mica mickey mike miles min miss misty moon my myrtle
newton nick noble noel nova novella nu numbers olive omega opal pa page pansy pasty pat
patience patsy patty pearl pearly peg penny peter phoebe ping pinkie piper porter precious
prince princess prudence queen randy raven ray reed rhea rich rick rob robin rocky rod roger
romaine roman rose rosemary rosette rosy royal ruby rusty sage sally sandy sang sari savanna
savannah scarlet season see shad sherry shin sibyl sierra so sol son song sonny soon sparkle
spring star sterling stormy sue summer sun sung sunny sunshine tad tam tanner tawny temple
tequila terry tiara tiny tom tony trinity troy valentine van velvet vi victor viola violet viva
wade waldo walker wan ward warren wen will willow windy winter yen yon young yuk
""".split())
