"""Requests the router has never been tuned on, with the model the seeds and the contract call for.

Written from the two seed documents (the generate skill's routing lines, the Soul course) and
the CLI contract, several phrasings per rule, in our own words. Each row is (request, extra
RouteRequest fields, expected): a model id, "tool:<name>" when another tool is the way in, or
"ask" when the honest answer is a question (too thin, or two families fit about equally).
Shared by tests/unit/test_routing_table.py and benchmarks/bench_router.py.
"""

from __future__ import annotations

from typing import Any

from higgsfield_mcp.domain.generation.router import DIRECT_TOOLS, Pick

ASK = "ask"
PHOTOSHOOT = "tool:product_photoshoot"
AD = "tool:marketing_ad"
LIBRARY = "tool:character_library"
SOULS = {"soul_2": "soul-2-id", "soul_cinematic": "soul-cine-id"}
SOUL2 = {"soul_2": "soul-2-id"}

Row = tuple[str, dict[str, Any], str]


def outcome(pick: Pick) -> str:
    """What a row compares: "ask", "tool:<name>" when another tool is the way in, else the model id.

    An `edit` pick names an ordinary model (generate can run it too), so its rows compare the model.
    """
    if pick.unsure is not None:
        return ASK
    return f"tool:{pick.tool}" if pick.tool and pick.tool not in DIRECT_TOOLS else pick.model


ROWS: list[Row] = [
    # --- Soul 2.0: UGC, editorial, fashion, lifestyle people ---------------------------------------
    ("a streetwear editorial of two friends leaning on a graffiti wall, overcast daylight", {}, "text2image_soul_v2"),
    ("UGC-looking photo of a guy unpacking groceries in his kitchen", {}, "text2image_soul_v2"),
    ("a lookbook frame: woman in a linen suit, full body, high-key studio light", {}, "text2image_soul_v2"),
    ("lifestyle image of a runner stretching on a pier at dawn", {}, "text2image_soul_v2"),
    ("beauty close-up of a model with glossy lips and freckles", {}, "text2image_soul_v2"),
    ("fashion campaign still of a man in a wool overcoat, three-quarter shot", {}, "text2image_soul_v2"),
    ("a realistic portrait of an elderly baker dusted with flour, window light", {}, "text2image_soul_v2"),
    ("an influencer-style mirror selfie in a boutique hotel", {}, "text2image_soul_v2"),
    # --- Soul Cinema: cinematic stills, previs ----------------------------------------------------
    ("a film still of two astronauts arguing in a cramped capsule, teal and amber grade", {}, "soul_cinematic"),
    ("pre-vis frame for my western: the sheriff stepping out at high noon", {}, "soul_cinematic"),
    ("a wide cinematic frame of a samurai in tall grass before a storm", {}, "soul_cinematic"),
    ("key scene stills for a thriller pitch deck, a woman on a rooftop at night", {}, "soul_cinematic"),
    ("an establishing frame of a mining town in the rain, like a movie", {}, "soul_cinematic"),
    ("anamorphic widescreen still of a car chase aftermath", {}, "soul_cinematic"),
    ("a production still for my short film, a boy alone in a bowling alley", {}, "soul_cinematic"),
    # --- Soul Cast: characterful text-only personas -------------------------------------------------
    ("dream up a memorable persona: a chess hustler who only speaks in riddles", {}, "soul_cast"),
    (
        "an eccentric inventor with goggles and soot on her cheeks, make her feel like a real individual",
        {},
        "soul_cast",
    ),
    ("cast a distinctive character for my podcast mascot, a grumpy lighthouse keeper, text only", {}, "soul_cast"),
    ("a one-of-a-kind persona: retired opera singer turned taxi driver", {}, "soul_cast"),
    # --- Soul Location: places with nobody in them -----------------------------------------------
    ("an empty subway platform at 3am, flickering lights", {}, "soul_location"),
    ("a sun-bleached desert motel courtyard, nobody around", {}, "soul_location"),
    ("a brutalist library interior, morning haze", {}, "soul_location"),
    ("the set for scene 4: a cluttered antique shop, no people", {}, "soul_location"),
    ("a foggy harbour with fishing boats, deserted", {}, "soul_location"),
    ("a location scout image of a rooftop garden in Lisbon", {}, "soul_location"),
    # --- Seedream 4.5: vector illustration, face edit + scene swap --------------------------------
    ("a flat vector illustration of a cyclist for a blog header", {}, "seedream_v4_5"),
    ("line-art spot illustrations of kitchen tools", {}, "seedream_v4_5"),
    ("put my face onto a Viking in a snowy fjord", {"reference_images": 1}, "seedream_v4_5"),
    ("move the people in this photo to a Tokyo night market", {"reference_images": 1}, "seedream_v4_5"),
    ("an isometric vector scene of a tiny coffee shop", {}, "seedream_v4_5"),
    # --- Z Image: fast and cheap iteration --------------------------------------------------------
    ("rough ideas for a treehouse, cheap, I'll pick one later", {}, "z_image"),
    ("fast throwaway concepts for a sci-fi helmet", {}, "z_image"),
    ("a quick draft of a cozy reading nook before I spend real credits", {}, "z_image"),
    ("brainstorm twenty cheap thumbnails of robot designs", {}, "z_image"),
    # --- Nano Banana 2 / Pro: characters and cartoons --------------------------------------------
    ("anime character concept: a girl courier with a mechanical arm", {}, "nano_banana_flash"),
    ("concept art of a cartoon raccoon hero for a kids' show", {}, "nano_banana_flash"),
    ("a chibi version of a knight holding a shield", {}, "nano_banana_flash"),
    ("a mascot for my ramen brand, a smiling noodle with chopsticks", {}, "nano_banana_flash"),
    ("design a manga-style villain with white hair", {}, "nano_banana_flash"),
    ("a storybook illustration of a bear and a fox sharing tea", {}, "nano_banana_flash"),
    ("my cartoon hero in a new pose, from these drawings", {"reference_images": 3}, "nano_banana_flash"),
    ("a crowded comic splash page with six heroes fighting a giant", {}, "nano_banana_2"),
    ("an intricate ensemble of anime characters at a festival, all consistent", {}, "nano_banana_2"),
    # --- Recraft V4.1: logos and icons ------------------------------------------------------------
    ("a wordmark for a cycling club called Spoke", {}, "recraft_v4_1"),
    ("a set of line icons for a weather app", {}, "recraft_v4_1"),
    ("a monogram logo with the letters A and K", {}, "recraft_v4_1"),
    ("an emblem for a craft brewery", {}, "recraft_v4_1"),
    # --- GPT Image 2: design, typography, product concepts, default ------------------------------
    ("an event flyer for a salsa night with the date in big letters", {}, "gpt_image_2"),
    ("a dashboard UI for a budgeting app", {}, "gpt_image_2"),
    ("an infographic about how bees make honey", {}, "gpt_image_2"),
    ("a concept for a new energy bar wrapper with the words 'Trail Fuel' on it", {}, "gpt_image_2"),
    ("a bottle design for a sparkling tea that doesn't exist yet, label reading 'Fizz Leaf'", {}, "gpt_image_2"),
    ("a birthday card that says happy 30th Sam", {}, "gpt_image_2"),
    ("a red panda eating bamboo", {}, "gpt_image_2"),
    ("a surreal picture of a whale swimming through clouds", {}, "gpt_image_2"),
    ("an oil painting of a lighthouse in a storm", {}, "gpt_image_2"),
    # --- product photoshoot: brand product visuals ------------------------------------------------
    ("a homepage hero image of my coffee grinder on a marble counter", {}, PHOTOSHOOT),
    ("a wide header for our store showing the new backpack", {}, PHOTOSHOOT),
    ("a pin for Pinterest with our ceramic mugs", {}, PHOTOSHOOT),
    ("my scented candles in a cozy living room setting", {}, PHOTOSHOOT),
    ("an ad pack for my protein powder across Meta and TikTok", {}, PHOTOSHOOT),
    ("catalog shots of our sunglasses on white", {}, PHOTOSHOOT),
    ("put my hoodie on an AI model for the shop page", {}, PHOTOSHOOT),
    ("my perfume bottle floating above water with a splash", {}, PHOTOSHOOT),
    ("a spring refresh of my product photos, pastel and airy", {}, PHOTOSHOOT),
    # --- Marketing Studio Image: avatar + product still ads ---------------------------------------
    ("a branded ad image with a presenter holding our serum", {}, AD),
    ("a still ad where an avatar shows off my headphones", {}, AD),
    ("an advert photo with a spokesperson and our new phone case", {}, AD),
    ("static ad with a creator holding my protein bar, Marketing Studio style", {}, AD),
    # --- Marketing Studio Video: all ads ------------------------------------------------------------
    ("a 15 second UGC ad for our shampoo", {}, AD),
    ("a sponsored clip where someone reviews my water bottle", {}, AD),
    ("a commercial for a car dealership", {}, AD),
    ("a TikTok ad for my skincare app", {}, AD),
    ("a tutorial-style promo showing how to use our blender", {}, AD),
    ("a launch teaser for our brand's new sneakers", {}, AD),
    # --- a trained Soul id: the photo model, or the film-frame one when the look is a film ---------------------------------
    ("a portrait of my character in a denim jacket", {"character_soul_ids": SOUL2}, "text2image_soul_v2"),
    ("Lena on a tram reading a paperback, soft light", {"character_soul_ids": SOULS}, "text2image_soul_v2"),
    ("a portrait of Lena with red hair", {"character_soul_ids": SOULS}, "text2image_soul_v2"),
    ("Lena in a cinematic night scene under neon", {"character_soul_ids": SOULS}, "soul_cinematic"),
    ("a film frame of Lena running across a bridge", {"character_soul_ids": SOULS}, "soul_cinematic"),
    ("an editorial photo of Lena at a flower market", {"character_soul_ids": SOULS}, "text2image_soul_v2"),
    # --- character consistency across scenes: the library, not Soul Cast ----------------------------
    ("keep my detective looking identical across 12 scenes, using Soul Cast", {}, LIBRARY),
    ("I need the same heroine in every episode of my series", {}, LIBRARY),
    ("lock my character's face so she stays consistent across all the shots of my story", {}, LIBRARY),
    ("use Soul Cast to keep the protagonist the same in every scene", {}, LIBRARY),
    # --- video: Seedance 2.0 default; shot/sequence/cut/footage/pan/seconds mean video -------------
    ("an action sequence with several shots of a bike courier weaving through traffic", {}, "seedance_2_0"),
    ("a dancer spinning in a warehouse, quick cuts between angles", {}, "seedance_2_0"),
    ("footage of a wolf pack running through snow", {}, "seedance_2_0"),
    ("a slow pan over a neon city at night", {}, "kling3_0"),
    ("a sweeping pan across a neon city, the camera gliding between towers", {}, "seedance_2_0"),
    ("8 seconds of waves crashing on black sand", {}, "seedance_2_0"),
    ("a chase through a night market, handheld, many cuts", {}, "seedance_2_0"),
    ("a tracking shot following a skateboarder down a hill", {}, "seedance_2_0"),
    ("a sequence where the hero wakes up, dresses and leaves the flat", {}, "seedance_2_0"),
    ("a clip of a hummingbird drinking from a flower", {}, "seedance_2_0"),
    ("a 12s drone shot rising over a waterfall", {}, "seedance_2_0"),
    # --- Kling 3.0: cheaper single-plane shots -----------------------------------------------------
    ("a cheaper video of steam rising from a bowl of soup, camera locked off", {}, "kling3_0"),
    ("a talking head clip of a woman nodding, calm", {}, "kling3_0"),
    ("gentle movement between these two stills of a lake", {"start_image": True, "end_image": True}, "kling3_0"),
    # --- Seedance 1.5 Pro: cheap clean shot without cuts -------------------------------------------
    ("a cheap single continuous shot, no cuts, of a dog chasing a ball", {}, "seedance1_5"),
    ("on a budget: one unbroken take of a train crossing a bridge", {}, "seedance1_5"),
    ("an affordable uncut shot of a balloon rising over the city", {}, "seedance1_5"),
    ("low-cost video, a single take of leaves falling", {}, "seedance1_5"),
    # --- Cinema Studio Video 3.0: highest fidelity -------------------------------------------------
    ("cinema-grade, highest fidelity video of a lion walking through smoke", {}, "cinematic_studio_3_0"),
    ("the best possible quality clip for a theatrical trailer, a spaceship landing", {}, "cinematic_studio_3_0"),
    ("hollywood quality footage of a knight drawing his sword", {}, "cinematic_studio_3_0"),
    ("premium quality video of rain on a tin roof, cost doesn't matter", {}, "cinematic_studio_3_0"),
    # --- Minimax Hailuo: cheap physics, no audio ---------------------------------------------------
    ("cheap clip of dominoes toppling with real physics, silent", {}, "minimax_hailuo"),
    ("a budget video of a glass of milk spilling, no sound needed", {}, "minimax_hailuo"),
    ("inexpensive physics shot: a bowling ball crashing into pins, mute", {}, "minimax_hailuo"),
    # --- Veo 3.1 Lite: batch and volume -----------------------------------------------------------
    ("thirty short clips of coffee being poured, in bulk, fast", {}, "veo3_1_lite"),
    ("high volume video variations of a spinning logo reveal", {}, "veo3_1_lite"),
    ("a batch of quick clips of city streets for b-roll", {}, "veo3_1_lite"),
    # --- Grok Video 1.5: stylised image to video --------------------------------------------------
    ("make this anime frame move, hair blowing in the wind", {"start_image": True}, "grok_video_v15"),
    ("bring my cartoon drawing to life", {"start_image": True}, "grok_video_v15"),
    ("animate this watercolor painting of a fox", {"start_image": True}, "grok_video_v15"),
    # --- Seedance 2.5: edits and extensions of an existing video ------------------------------------
    ("continue this clip for five more seconds", {"reference_videos": 1}, "seedance_2_5"),
    ("edit my video so the sky is purple", {"reference_videos": 1}, "seedance_2_5"),
    # --- editing: background removal, outpaint ----------------------------------------------------
    ("cut the subject out of this photo and drop the background", {"reference_images": 1}, "image_background_remover"),
    ("make the background of this picture transparent", {"reference_images": 1}, "image_background_remover"),
    (
        "a transparent PNG of this product photo, background removed",
        {"reference_images": 1},
        "image_background_remover",
    ),
    ("remove the background from this video of me talking", {"reference_videos": 1}, "video_background_remover"),
    (
        "strip the background out of this clip, keep only the dancer",
        {"reference_videos": 1},
        "video_background_remover",
    ),
    ("take the background out of my footage", {"reference_videos": 1}, "video_background_remover"),
    ("widen this picture to 16:9 so it fits a banner, fill in the sides", {"reference_images": 1}, "outpaint"),
    ("this photo is too tight, extend it to a wider frame", {"reference_images": 1}, "outpaint"),
    ("expand the canvas of this image to the left and right", {"reference_images": 1}, "outpaint"),
    ("outpaint my portrait to a 9:16 story format", {"reference_images": 1}, "outpaint"),
    ("upscale this photo so it prints sharp at poster size", {"reference_images": 1}, "bytedance_image_upscale"),
    ("sharpen this old picture of my grandparents and make it 4k", {"reference_images": 1}, "bytedance_image_upscale"),
    ("upscale my clip to a higher resolution", {"reference_videos": 1}, "bytedance_video_upscale"),
    # --- audio: speech with voices, music, sound effects, seed audio ------------------------------
    ("a voice-over reading this script for my product video in a calm female voice", {}, "text2speech_v2"),
    ("turn this paragraph into spoken audio with a deep male narrator", {}, "text2speech_v2"),
    ("text to speech of our welcome message in a friendly voice", {}, "text2speech_v2"),
    ("narrate my bedtime story, gentle voice", {}, "text2speech_v2"),
    ("a music track for my travel vlog, upbeat acoustic", {}, "seed_audio"),
    ("an instrumental background score for a cooking show", {}, "seed_audio"),
    ("a sound effect of a door creaking open", {}, "seed_audio"),
    ("sfx: thunder rolling in the distance", {}, "seed_audio"),
    ("ambient forest sounds with birds for a meditation app", {}, "seed_audio"),
    ("a jingle for a pizza place", {}, "seed_audio"),
    ("sound design for a sci-fi door opening, Mirelo please", {}, "mirelo_text_to_audio"),
    # --- 3D ---------------------------------------------------------------------------------------
    ("a 3D model of my handbag from these photos", {"reference_images": 4}, "multi_image_to_3d"),
    ("turn this photo of a ceramic vase into a mesh I can print", {"reference_images": 1}, "multi_image_to_3d"),
    ("a textured GLB of my sneaker from these shots", {"reference_images": 3}, "multi_image_to_3d"),
    ("a rigged 3D model of this toy robot for my game", {"reference_images": 2}, "multi_image_to_3d"),
    ("a 3D model of a treasure chest from a description, I have no photos", {}, "tripo_3d"),
    ("text to 3D: a low-poly fox for my game", {}, "tripo_3d"),
    # --- analysis ---------------------------------------------------------------------------------
    ("analyse this ad and tell me if people will keep watching", {"reference_videos": 1}, "brain_activity"),
    ("how good is the hook in this reel?", {"reference_videos": 1}, "brain_activity"),
    ("predict whether this clip will perform on TikTok", {"reference_videos": 1}, "brain_activity"),
    ("give me a virality score for my video", {"reference_videos": 1}, "brain_activity"),
    # --- negations --------------------------------------------------------------------------------
    ("a rainy alley at night with no people in it", {}, "soul_location"),
    ("a photo of a teddy bear on a bed, not a cartoon", {}, "gpt_image_2"),
    ("a video of a coin spinning, cheap, without sound", {}, "minimax_hailuo"),
    ("a fashion portrait, not cinematic, just clean studio light", {}, "text2image_soul_v2"),
    ("a still photo of our desk lamp for the shop, not a video", {}, PHOTOSHOOT),
    ("a flyer for a bake sale, no people, no photos", {}, "gpt_image_2"),
    ("an image of a forest, no video", {}, "gpt_image_2"),
    ("a video with no cuts, cheap, of a candle flickering", {}, "seedance1_5"),
    # --- thin or torn requests: the honest answer is a question -----------------------------------
    ("make something cool", {}, ASK),
    ("surprise me", {}, ASK),
    ("I need content for my Instagram", {}, ASK),
    ("something nice for my page", {}, ASK),
    ("create", {}, ASK),
    ("help me with my project", {}, ASK),
    ("hazme algo chulo", {}, ASK),
    ("mach mir was Schönes", {}, ASK),
    # --- other languages --------------------------------------------------------------------------
    ("un vídeo de 10 segundos de un surfista al atardecer", {}, "seedance_2_0"),
    ("un logotipo minimalista para una panadería", {}, "recraft_v4_1"),
    ("un anuncio UGC para mis zapatillas", {}, AD),
    ("una foto de moda de una mujer con abrigo rojo, luz de estudio", {}, "text2image_soul_v2"),
    ("música de fondo tranquila para mi vídeo de yoga", {}, "seed_audio"),
    ("quita el fondo de esta foto", {"reference_images": 1}, "image_background_remover"),
    ("une vidéo d'un chat qui saute, plusieurs plans", {}, "seedance_2_0"),
    ("un portrait de mode d'un homme en costume, lumière naturelle", {}, "text2image_soul_v2"),
    ("une affiche pour un concert de jazz avec le titre 'Nuit Bleue'", {}, "gpt_image_2"),
    ("une rue vide la nuit, sans personne", {}, "soul_location"),
    ("ein Video von einem Hund am Strand, günstig, ohne Schnitte", {}, "seedance1_5"),
    ("ein Logo für ein Café", {}, "recraft_v4_1"),
    ("eine Sprachausgabe für mein Skript mit einer ruhigen Stimme", {}, "text2speech_v2"),
    ("entferne den Hintergrund von diesem Bild", {"reference_images": 1}, "image_background_remover"),
    ("ein Werbevideo für meine Marke", {}, AD),
    # --- the first held-out set: 26/33 on its first run; the rules its misses broke were then fixed
    #     (a still from a film, a restyle of "my" product, several angles, extend a given photo,
    #     lo-fi as audio, French "pas cher"/"coupes"), and it joined the table ---
    ("a moody black-and-white portrait of a jazz trumpeter, rim light", {}, "text2image_soul_v2"),
    ("street-style photo of a teenager on a scooter, golden hour", {}, "text2image_soul_v2"),
    ("a still from an imaginary 70s heist movie, crew counting cash", {}, "soul_cinematic"),
    ("storyboard panel: the captain sees the iceberg, widescreen", {}, "soul_cinematic"),
    ("an abandoned greenhouse overgrown with vines, no one inside", {}, "soul_location"),
    ("a hotel lobby at dawn, empty, marble and brass", {}, "soul_location"),
    ("a comic-book hero in a cape standing on a rooftop", {}, "nano_banana_flash"),
    ("a logo mark for a yoga studio named Lotus", {}, "recraft_v4_1"),
    ("a menu design for a taco truck with prices", {}, "gpt_image_2"),
    ("a cheap rough sketch of a castle so I can pick a direction", {}, "z_image"),
    ("product photos of my handmade soap on a white background", {}, PHOTOSHOOT),
    ("my sneakers styled for autumn with fallen leaves", {}, PHOTOSHOOT),
    ("a UGC video of a girl trying my lip gloss", {}, AD),
    ("an ad image where a presenter holds our vitamins", {}, AD),
    ("a 6 second clip of a paper plane gliding across a classroom", {}, "seedance_2_0"),
    ("a parkour run across rooftops, several angles", {}, "seedance_2_0"),
    ("a low budget single-take video of a sunrise over hills", {}, "seedance1_5"),
    ("the highest quality video you can make of a dragon flying over a castle", {}, "cinematic_studio_3_0"),
    ("dozens of quick clips of different pizzas for our menu screens", {}, "veo3_1_lite"),
    ("a cheap silent clip of a jelly wobbling on a plate", {}, "minimax_hailuo"),
    ("remove the background from my headshot", {"reference_images": 1}, "image_background_remover"),
    ("extend this landscape photo to 21:9", {"reference_images": 1}, "outpaint"),
    ("read this script aloud in an energetic male voice", {}, "text2speech_v2"),
    ("a lo-fi hip hop loop for studying", {}, "seed_audio"),
    ("the sound of a crowd cheering in a stadium", {}, "seed_audio"),
    ("a 3D model of my ceramic mug from these four photos", {"reference_images": 4}, "multi_image_to_3d"),
    ("will this ad hold attention? score it", {"reference_videos": 1}, "brain_activity"),
    ("make me something", {}, ASK),
    ("keep the same barista character in every episode of our web series", {}, LIBRARY),
    ("un retrato editorial de un chef en su cocina, luz de ventana", {}, "text2image_soul_v2"),
    ("une vidéo pas chère d'une bougie, sans coupes", {}, "seedance1_5"),
    ("ein Foto von einer leeren Bahnhofshalle ohne Menschen", {}, "soul_location"),
]


# Written after the rules were tuned on ROWS and the first held-out set, and never tuned on:
# benchmarks/bench_router.py prints how many of these come out as expected, a fair figure for
# requests the weights have not seen. The kawaii sticker is the first set's one open miss (the
# router asks "design or character?", which is defensible, but the seeds' pick is Nano Banana 2).
HOLDOUT: list[Row] = [
    ("a kawaii sticker of a sleepy cat", {}, "nano_banana_flash"),
    ("a headshot of a smiling nurse in scrubs, soft key light", {}, "text2image_soul_v2"),
    ("outfit photos of a woman in a trench coat walking in Paris", {}, "text2image_soul_v2"),
    ("a cinematic frame of a lone cowboy on a ridge at dusk", {}, "soul_cinematic"),
    ("an empty bowling alley lit by neon, nobody there", {}, "soul_location"),
    ("a persona nobody has seen before: a punk grandmother beekeeper", {}, "soul_cast"),
    ("a cute anime fox spirit with nine tails", {}, "nano_banana_flash"),
    ("an icon set for a banking app", {}, "recraft_v4_1"),
    ("a vector illustration of a mountain bike", {}, "seedream_v4_5"),
    ("a wedding invitation with our names in gold script", {}, "gpt_image_2"),
    ("a quick cheap draft of a robot dog", {}, "z_image"),
    ("a photo of our olive oil bottle on a rustic wooden table", {}, PHOTOSHOOT),
    ("Instagram ad creatives for my coffee brand", {}, PHOTOSHOOT),
    ("a UGC ad where a creator unboxes our headphones", {}, AD),
    ("a TV spot for our bank", {}, AD),
    ("a clip of a cat knocking a glass off a table", {}, "seedance_2_0"),
    ("a fight scene in a dojo, lots of cuts", {}, "seedance_2_0"),
    ("a calm clip of a candle on a windowsill, static camera, cheaper", {}, "kling3_0"),
    ("cheapest possible single-take clip of clouds moving", {}, "seedance1_5"),
    ("a cinema-grade shot of a racing car at night", {}, "cinematic_studio_3_0"),
    ("a batch of 40 short product clips, fast", {}, "veo3_1_lite"),
    ("animate this pixel art sprite of a knight", {"start_image": True}, "grok_video_v15"),
    ("make my clip longer, continue what happens", {"reference_videos": 1}, "seedance_2_5"),
    ("erase the background from this picture of my dog", {"reference_images": 1}, "image_background_remover"),
    ("remove the background of this dance video", {"reference_videos": 1}, "video_background_remover"),
    ("narration for my documentary intro in a deep voice", {}, "text2speech_v2"),
    ("an upbeat jingle for a podcast intro", {}, "seed_audio"),
    ("a GLB of this chair from my photos", {"reference_images": 3}, "multi_image_to_3d"),
    ("rate my reel's hook", {"reference_videos": 1}, "brain_activity"),
    ("do something fun", {}, ASK),
    ("the same hero in all ten scenes of my comic", {}, LIBRARY),
    ("Mara at a night market, cinematic", {"character_soul_ids": SOULS}, "soul_cinematic"),
    ("una imagen de una playa vacía sin gente", {}, "soul_location"),
    ("un clip de acción con varios planos de una persecución", {}, "seedance_2_0"),
    ("une voix off pour ma vidéo, voix calme", {}, "text2speech_v2"),
    ("ein Porträt einer Frau im Studiolicht", {}, "text2image_soul_v2"),
]
