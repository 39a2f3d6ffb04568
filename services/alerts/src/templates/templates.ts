import {
  type AlertAreaInput,
  type AlertContent,
  type AlertTemplate,
  DISTRICT_CODES,
  type DistrictCode,
  type LocalizedText,
} from "@hub/contracts";

/**
 * Starting points for the drafter, modelled on the warnings Macao's Meteorological and Geophysical Bureau (SMG) and
 * the Civil Protection Operations Centre publish. The drafter edits the text (times, places, water levels) before
 * submitting. Severity, urgency and certainty escalate with the signal within each group.
 *
 * Portuguese follows Macao's official usage (pre-1990 spelling: "protecção", "afectar", "objectos").
 */

type TemplateContent = AlertTemplate["content"];

const PARISHES: readonly DistrictCode[] = DISTRICT_CODES.filter((code) => code !== "MO-INNER-HARBOUR");

function allOfMacao(): AlertAreaInput {
  return {
    description: { "zh-Hant": "澳門全境", pt: "Todo o território de Macau", en: "All of Macao" },
    polygons: [],
    circles: [],
    districts: [...PARISHES],
  };
}

// ---- Tropical cyclone signals ------------------------------------------------------------------------------------

const SMG_SIGNAL = "MO-SMG-signal";

const TC_FOLLOW: LocalizedText = {
  "zh-Hant": "請留意氣象局及民防行動中心發布的最新消息。",
  pt: "Acompanhe as informações mais recentes dos SMG e do Centro de Operações de Protecção Civil.",
  en: "Follow the latest information from SMG and the Civil Protection Operations Centre.",
};

function tropicalCyclone(
  id: string,
  signal: string,
  name: LocalizedText,
  content: Omit<TemplateContent, "categories" | "eventCodes" | "areas" | "onset">,
  expiresInHours: number,
): AlertTemplate {
  return {
    id,
    group: "tropical-cyclone",
    name,
    content: {
      ...content,
      categories: ["Met"],
      eventCodes: [{ valueName: SMG_SIGNAL, value: signal }],
      onset: null,
      areas: [allOfMacao()],
    },
    expiresInHours,
  };
}

interface Quadrant {
  code: "NE" | "SE" | "SW" | "NW";
  zh: string;
  pt: string;
  ptWind: string;
  en: string;
}

const QUADRANTS: readonly Quadrant[] = [
  { code: "NE", zh: "東北", pt: "Nordeste", ptWind: "de nordeste", en: "Northeast" },
  { code: "SE", zh: "東南", pt: "Sudeste", ptWind: "de sudeste", en: "Southeast" },
  { code: "SW", zh: "西南", pt: "Sudoeste", ptWind: "de sudoeste", en: "Southwest" },
  { code: "NW", zh: "西北", pt: "Noroeste", ptWind: "de noroeste", en: "Northwest" },
];

const SIGNAL_8_AND_ABOVE_INSTRUCTION: LocalizedText = {
  "zh-Hant":
    "請留在安全的室內地方，遠離窗戶及玻璃門，切勿外出或前往海旁觀浪。學校停課，公共交通服務可能暫停，跨海大橋可能封閉。" +
    "低窪地區居民應提防水浸，有需要時請前往民防避險中心。如遇緊急情況，請致電 999。",
  pt:
    "Permaneça num local seguro dentro de casa, afastado de janelas e portas de vidro; não saia à rua nem vá ver o mar " +
    "junto à costa. As aulas estão suspensas, os transportes públicos podem ser suspensos e as pontes podem ser " +
    "encerradas. Os moradores das zonas baixas devem precaver-se contra inundações e, se necessário, dirigir-se a um " +
    "centro de abrigo da Protecção Civil. Em caso de emergência, ligue 999.",
  en:
    "Stay indoors in a safe place, away from windows and glass doors; do not go out or go to the waterfront to watch " +
    "the waves. Schools are closed, public transport may be suspended and the bridges may be closed. Residents of " +
    "low-lying areas should guard against flooding and, if necessary, go to a Civil Protection shelter. In an " +
    "emergency, call 999.",
};

function signal8(quadrant: Quadrant): AlertTemplate {
  return tropicalCyclone(
    `tc-8${quadrant.code.toLowerCase()}`,
    `8${quadrant.code}`,
    {
      "zh-Hant": `八號${quadrant.zh}風球`,
      pt: `Sinal n.º 8 ${quadrant.pt}`,
      en: `Signal No. 8 ${quadrant.en}`,
    },
    {
      event: {
        "zh-Hant": `八號${quadrant.zh}烈風或暴風信號`,
        pt: `Sinal n.º 8 de tempestade tropical (${quadrant.pt})`,
        en: `Tropical Cyclone Signal No. 8 (${quadrant.en})`,
      },
      responseTypes: ["Shelter"],
      urgency: "Immediate",
      severity: "Severe",
      certainty: "Likely",
      headline: {
        "zh-Hant": `氣象局已懸掛八號${quadrant.zh}風球：澳門吹${quadrant.zh}烈風或暴風`,
        pt: `Içado o sinal n.º 8 ${quadrant.pt}: ventos ${quadrant.ptWind} com força de temporal ou tempestade`,
        en: `Signal No. 8 ${quadrant.en} hoisted: gale or storm force winds from the ${quadrant.en.toLowerCase()}`,
      },
      description: {
        "zh-Hant":
          `熱帶氣旋正吹襲澳門，本澳吹${quadrant.zh}烈風或暴風，持續風速每小時 63 至 117 公里，陣風可能超過每小時 180 公里。` +
          "沿岸地區風勢更強，海面波濤洶湧。",
        pt:
          `Um ciclone tropical está a afectar Macau, com ventos ${quadrant.ptWind} com força de temporal ou tempestade, ` +
          "velocidade média de 63 a 117 km/h e rajadas que podem exceder 180 km/h. O vento é mais forte nas zonas " +
          "costeiras e o mar está muito agitado.",
        en:
          `A tropical cyclone is affecting Macao, with gale or storm force winds from the ${quadrant.en.toLowerCase()}: ` +
          "sustained speeds of 63 to 117 km/h, with gusts that may exceed 180 km/h. Winds are stronger along the coast " +
          "and seas are very rough.",
      },
      instruction: SIGNAL_8_AND_ABOVE_INSTRUCTION,
    },
    12,
  );
}

const TROPICAL_CYCLONE: readonly AlertTemplate[] = [
  tropicalCyclone(
    "tc-1",
    "1",
    { "zh-Hant": "一號風球", pt: "Sinal n.º 1", en: "Signal No. 1" },
    {
      event: {
        "zh-Hant": "一號戒備信號（熱帶氣旋）",
        pt: "Sinal n.º 1 de tempestade tropical",
        en: "Tropical Cyclone Signal No. 1",
      },
      responseTypes: ["Monitor"],
      urgency: "Future",
      severity: "Minor",
      certainty: "Possible",
      headline: {
        "zh-Hant": "氣象局已懸掛一號風球：熱帶氣旋可能影響澳門",
        pt: "Içado o sinal n.º 1 de tempestade tropical: um ciclone tropical poderá afectar Macau",
        en: "Tropical Cyclone Signal No. 1 hoisted: a tropical cyclone may affect Macao",
      },
      description: {
        "zh-Hant":
          "一個熱帶氣旋集結在澳門約 800 公里範圍內，可能會影響本澳。一號風球是戒備信號，表示熱帶氣旋稍後可能對澳門構成威脅。",
        pt:
          "Um ciclone tropical encontra-se a menos de cerca de 800 km de Macau e poderá vir a afectar o território. " +
          "O sinal n.º 1 é um sinal de alerta: o ciclone tropical poderá constituir uma ameaça para Macau mais tarde.",
        en:
          "A tropical cyclone is centred within about 800 km of Macao and may affect the territory. Signal No. 1 is a " +
          "standby signal: the cyclone may become a threat to Macao later.",
      },
      instruction: {
        "zh-Hant": `出海人士應提高警惕，避免駛入受熱帶氣旋影響的海域。${TC_FOLLOW["zh-Hant"]}`,
        pt: `Quem vai para o mar deve redobrar a atenção e evitar as zonas afectadas pelo ciclone. ${TC_FOLLOW.pt}`,
        en: `People going to sea should take extra care and keep away from the areas the cyclone affects. ${TC_FOLLOW.en}`,
      },
    },
    24,
  ),
  tropicalCyclone(
    "tc-3",
    "3",
    { "zh-Hant": "三號風球", pt: "Sinal n.º 3", en: "Signal No. 3" },
    {
      event: {
        "zh-Hant": "三號強風信號",
        pt: "Sinal n.º 3 de tempestade tropical",
        en: "Tropical Cyclone Signal No. 3",
      },
      responseTypes: ["Prepare"],
      urgency: "Expected",
      severity: "Moderate",
      certainty: "Likely",
      headline: {
        "zh-Hant": "氣象局已懸掛三號風球：澳門吹強風",
        pt: "Içado o sinal n.º 3 de tempestade tropical: ventos fortes em Macau",
        en: "Tropical Cyclone Signal No. 3 hoisted: strong winds in Macao",
      },
      description: {
        "zh-Hant": "熱帶氣旋正逐漸接近，澳門吹強風，持續風速每小時 41 至 62 公里，陣風可能超過每小時 110 公里。",
        pt:
          "O ciclone tropical aproxima-se e sopram ventos fortes em Macau, com velocidade média de 41 a 62 km/h e " +
          "rajadas que podem exceder 110 km/h.",
        en:
          "The tropical cyclone is approaching and strong winds are blowing in Macao, with sustained speeds of 41 to " +
          "62 km/h and gusts that may exceed 110 km/h.",
      },
      instruction: {
        "zh-Hant":
          "請綁緊或移走花盆、簷篷等容易被風吹倒的物件；避免前往沿岸地區及進行水上活動。低窪地區居民及商戶應預早做好防水浸準備。" +
          TC_FOLLOW["zh-Hant"],
        pt:
          "Prenda ou recolha vasos, toldos e outros objectos que o vento possa arrastar; evite as zonas costeiras e as " +
          "actividades aquáticas. Moradores e comerciantes das zonas baixas devem preparar-se desde já para " +
          `inundações. ${TC_FOLLOW.pt}`,
        en:
          "Secure or bring in flower pots, awnings and anything else the wind could blow away; keep away from the " +
          "coast and from water activities. Residents and shops in low-lying areas should prepare for flooding now. " +
          TC_FOLLOW.en,
      },
    },
    12,
  ),
  ...QUADRANTS.map(signal8),
  tropicalCyclone(
    "tc-9",
    "9",
    { "zh-Hant": "九號風球", pt: "Sinal n.º 9", en: "Signal No. 9" },
    {
      event: {
        "zh-Hant": "九號烈風或暴風風力增強信號",
        pt: "Sinal n.º 9 de tempestade tropical",
        en: "Tropical Cyclone Signal No. 9",
      },
      responseTypes: ["Shelter"],
      urgency: "Immediate",
      severity: "Extreme",
      certainty: "Likely",
      headline: {
        "zh-Hant": "氣象局已懸掛九號風球：烈風或暴風風力顯著增強",
        pt: "Içado o sinal n.º 9 de tempestade tropical: os ventos de temporal ou tempestade vão intensificar-se",
        en: "Tropical Cyclone Signal No. 9 hoisted: gale or storm force winds increasing significantly",
      },
      description: {
        "zh-Hant": "熱帶氣旋正逼近澳門，預料烈風或暴風的風力會顯著增強，並可能達到颶風程度。",
        pt:
          "O ciclone tropical está muito próximo de Macau; prevê-se que os ventos de temporal ou tempestade se " +
          "intensifiquem significativamente e possam atingir força de furacão.",
        en:
          "The tropical cyclone is closing in on Macao; gale or storm force winds are expected to increase " +
          "significantly and may reach hurricane force.",
      },
      instruction: SIGNAL_8_AND_ABOVE_INSTRUCTION,
    },
    6,
  ),
  tropicalCyclone(
    "tc-10",
    "10",
    { "zh-Hant": "十號風球", pt: "Sinal n.º 10", en: "Signal No. 10" },
    {
      event: {
        "zh-Hant": "十號颶風信號",
        pt: "Sinal n.º 10 de tempestade tropical",
        en: "Tropical Cyclone Signal No. 10",
      },
      responseTypes: ["Shelter"],
      urgency: "Immediate",
      severity: "Extreme",
      certainty: "Observed",
      headline: {
        "zh-Hant": "氣象局已懸掛十號風球：澳門吹颶風",
        pt: "Içado o sinal n.º 10 de tempestade tropical: ventos com força de furacão em Macau",
        en: "Tropical Cyclone Signal No. 10 hoisted: hurricane force winds in Macao",
      },
      description: {
        "zh-Hant":
          "澳門吹颶風，持續風速達每小時 118 公里或以上，陣風可能超過每小時 220 公里。風暴潮可能令低窪地區嚴重水浸。",
        pt:
          "Sopram em Macau ventos com força de furacão, com velocidade média igual ou superior a 118 km/h e rajadas que " +
          "podem exceder 220 km/h. A maré de tempestade pode causar inundações graves nas zonas baixas.",
        en:
          "Hurricane force winds are blowing in Macao, with sustained speeds of 118 km/h or more and gusts that may " +
          "exceed 220 km/h. The storm surge may cause serious flooding in low-lying areas.",
      },
      instruction: {
        "zh-Hant":
          "切勿外出。請留在室內最安全的地方，遠離窗戶；如窗戶破損，請躲到走廊或浴室。" +
          "即使風勢暫時減弱，颶風眼過後風勢會從另一方向再度增強，請繼續留在室內。如遇緊急情況，請致電 999。",
        pt:
          "Não saia. Fique na divisão mais segura da casa, longe das janelas; se uma janela partir, abrigue-se no " +
          "corredor ou na casa de banho. Se o vento acalmar, pode ser a passagem do olho do furacão: o vento voltará " +
          "com força de outra direcção, por isso continue abrigado. Em caso de emergência, ligue 999.",
        en:
          "Do not go out. Stay in the safest room, away from windows; if a window breaks, shelter in a corridor or " +
          "bathroom. If the wind drops, it may be the eye passing: the wind will return from another direction, so " +
          "stay indoors. In an emergency, call 999.",
      },
    },
    6,
  ),
];

// ---- Storm surge -------------------------------------------------------------------------------------------------

interface SurgeLevel {
  colour: "blue" | "yellow" | "orange" | "red" | "black";
  zh: string;
  pt: string;
  en: string;
  /** Water above road level in the Inner Harbour's low-lying streets. */
  depth: LocalizedText;
  responseTypes: TemplateContent["responseTypes"];
  urgency: TemplateContent["urgency"];
  severity: TemplateContent["severity"];
  districts: DistrictCode[];
  area: LocalizedText;
  instruction: LocalizedText;
}

const SURGE_LEVELS: readonly SurgeLevel[] = [
  {
    colour: "blue",
    zh: "藍色",
    pt: "azul",
    en: "Blue",
    depth: { "zh-Hant": "0.5 米以下", pt: "inferior a 0,5 m", en: "less than 0.5 m" },
    responseTypes: ["Prepare", "Monitor"],
    urgency: "Expected",
    severity: "Minor",
    districts: ["MO-INNER-HARBOUR"],
    area: {
      "zh-Hant": "內港沿岸低窪地區",
      pt: "Zonas baixas ao longo do Porto Interior",
      en: "Low-lying areas along the Inner Harbour",
    },
    instruction: {
      "zh-Hant": "內港一帶居民及商戶應留意水位變化，預先將貴重物品及電器移至高處，並準備擋水板。",
      pt:
        "Moradores e comerciantes da zona do Porto Interior devem estar atentos à subida da água, colocar desde já " +
        "bens de valor e aparelhos eléctricos em locais altos e preparar as comportas.",
      en:
        "Residents and shops around the Inner Harbour should watch the water level, move valuables and electrical " +
        "appliances to higher places now and get flood barriers ready.",
    },
  },
  {
    colour: "yellow",
    zh: "黃色",
    pt: "amarelo",
    en: "Yellow",
    depth: { "zh-Hant": "0.5 至 1 米", pt: "entre 0,5 e 1 m", en: "0.5 to 1 m" },
    responseTypes: ["Prepare", "Avoid"],
    urgency: "Expected",
    severity: "Moderate",
    districts: ["MO-INNER-HARBOUR", "MO-SLR"],
    area: {
      "zh-Hant": "內港沿岸及風順堂區低窪地區",
      pt: "Zonas baixas do Porto Interior e da freguesia de São Lourenço",
      en: "Low-lying areas of the Inner Harbour and St. Lawrence Parish",
    },
    instruction: {
      "zh-Hant":
        "低窪地區居民及商戶應安裝擋水板、放置沙包，將車輛駛離低窪地區，並避免在水浸街道涉水或駕駛。請留意水位及氣象局的最新消息。",
      pt:
        "Moradores e comerciantes das zonas baixas devem instalar comportas e sacos de areia, retirar os veículos das " +
        "zonas baixas e não atravessar a pé nem conduzir em ruas inundadas. Acompanhe o nível da água e as " +
        "informações dos SMG.",
      en:
        "Residents and shops in low-lying areas should put up flood barriers and sandbags, move vehicles out of " +
        "low-lying areas, and not walk or drive through flooded streets. Follow the water level and SMG's updates.",
    },
  },
  {
    colour: "orange",
    zh: "橙色",
    pt: "laranja",
    en: "Orange",
    depth: { "zh-Hant": "1 至 1.5 米", pt: "entre 1 e 1,5 m", en: "1 to 1.5 m" },
    responseTypes: ["Prepare", "Avoid"],
    urgency: "Expected",
    severity: "Severe",
    districts: ["MO-INNER-HARBOUR", "MO-SLR", "MO-STA", "MO-TAI", "MO-COL"],
    area: {
      "zh-Hant": "內港沿岸、風順堂區、花王堂區及氹仔舊城區、路環市區的低窪地區",
      pt: "Zonas baixas do Porto Interior, de São Lourenço, de Santo António e das vilas da Taipa e de Coloane",
      en: "Low-lying areas of the Inner Harbour, St. Lawrence, St. Anthony, Taipa Village and Coloane Village",
    },
    instruction: {
      "zh-Hant":
        "低窪地區居民應準備隨時撤離：關閉電源及煤氣總掣，將長者、行動不便人士及寵物安排到高處或親友家中。切勿停留在地庫及地下停車場。",
      pt:
        "Os moradores das zonas baixas devem estar prontos para sair a qualquer momento: desligar a electricidade e o " +
        "gás, e levar idosos, pessoas com mobilidade reduzida e animais para andares altos ou para casa de familiares. " +
        "Não permaneça em caves nem em parques de estacionamento subterrâneos.",
      en:
        "Residents of low-lying areas should be ready to leave at any moment: switch off electricity and gas, and " +
        "move older people, people with reduced mobility and pets to upper floors or to relatives. Do not stay in " +
        "basements or underground car parks.",
    },
  },
  {
    colour: "red",
    zh: "紅色",
    pt: "vermelho",
    en: "Red",
    depth: { "zh-Hant": "1.5 至 2.5 米", pt: "entre 1,5 e 2,5 m", en: "1.5 to 2.5 m" },
    responseTypes: ["Evacuate"],
    urgency: "Immediate",
    severity: "Severe",
    districts: ["MO-INNER-HARBOUR", "MO-SLR", "MO-STA", "MO-TAI", "MO-COL"],
    area: {
      "zh-Hant": "內港沿岸、風順堂區、花王堂區及氹仔舊城區、路環市區的低窪地區",
      pt: "Zonas baixas do Porto Interior, de São Lourenço, de Santo António e das vilas da Taipa e de Coloane",
      en: "Low-lying areas of the Inner Harbour, St. Lawrence, St. Anthony, Taipa Village and Coloane Village",
    },
    instruction: {
      "zh-Hant":
        "低窪地區居民請立即按民防人員指示撤離，前往民防避險中心或親友位於高處的居所。離開前關閉電源及煤氣總掣。切勿涉水，切勿停留在地庫或地下停車場。",
      pt:
        "Os moradores das zonas baixas devem sair imediatamente, seguindo as instruções da Protecção Civil, para um " +
        "centro de abrigo ou para casa de familiares em zona alta. Antes de sair, desligue a electricidade e o gás. " +
        "Não atravesse zonas inundadas nem permaneça em caves ou parques de estacionamento subterrâneos.",
      en:
        "Residents of low-lying areas must leave now, following Civil Protection's instructions, for a shelter or " +
        "relatives on higher ground. Switch off electricity and gas before leaving. Do not walk through flood water " +
        "or stay in basements or underground car parks.",
    },
  },
  {
    colour: "black",
    zh: "黑色",
    pt: "preto",
    en: "Black",
    depth: { "zh-Hant": "2.5 米以上", pt: "superior a 2,5 m", en: "more than 2.5 m" },
    responseTypes: ["Evacuate"],
    urgency: "Immediate",
    severity: "Extreme",
    districts: ["MO-INNER-HARBOUR", "MO-SLR", "MO-STA", "MO-SE", "MO-TAI", "MO-COL"],
    area: {
      "zh-Hant": "內港沿岸、風順堂區、花王堂區、大堂區及氹仔舊城區、路環市區的低窪地區",
      pt: "Zonas baixas do Porto Interior, de São Lourenço, de Santo António, da Sé e das vilas da Taipa e de Coloane",
      en: "Low-lying areas of the Inner Harbour, St. Lawrence, St. Anthony, Cathedral Parish, Taipa and Coloane Villages",
    },
    instruction: {
      "zh-Hant":
        "水浸可能危及生命。低窪地區居民必須立即撤離，未能撤離者請立即前往建築物的高層，切勿留在地面或地庫。如被困請致電 999 並留在高處等候救援。",
      pt:
        "As inundações podem pôr vidas em risco. Os moradores das zonas baixas têm de sair imediatamente; quem não " +
        "puder sair deve subir já para os andares altos do edifício e nunca ficar no rés-do-chão ou em caves. Se " +
        "ficar retido, ligue 999 e aguarde socorro num local alto.",
      en:
        "Flooding may be life-threatening. Residents of low-lying areas must leave now; anyone who cannot should go to " +
        "the upper floors of their building at once and never stay on the ground floor or in basements. If trapped, " +
        "call 999 and wait for rescue somewhere high.",
    },
  },
];

function stormSurge(level: SurgeLevel): AlertTemplate {
  return {
    id: `storm-surge-${level.colour}`,
    group: "storm-surge",
    name: {
      "zh-Hant": `${level.zh}風暴潮警告`,
      pt: `Aviso de storm surge ${level.pt}`,
      en: `${level.en} storm surge warning`,
    },
    content: {
      categories: ["Met"],
      responseTypes: level.responseTypes,
      urgency: level.urgency,
      severity: level.severity,
      certainty: "Likely",
      event: {
        "zh-Hant": `${level.zh}風暴潮警告`,
        pt: `Aviso de storm surge ${level.pt}`,
        en: `${level.en} Storm Surge Warning`,
      },
      headline: {
        "zh-Hant": `氣象局已發出${level.zh}風暴潮警告：內港一帶預料水浸${level.depth["zh-Hant"]}`,
        pt: `Emitido o aviso de storm surge ${level.pt}: inundação prevista de ${level.depth.pt} no Porto Interior`,
        en: `${level.en} storm surge warning issued: ${level.depth.en} of flooding expected at the Inner Harbour`,
      },
      description: {
        "zh-Hant":
          `受熱帶氣旋及天文潮影響，預料內港沿岸低窪地區將出現水浸，水位高於路面${level.depth["zh-Hant"]}。` +
          "水位最高的時段預料在天文高潮前後。",
        pt:
          "Devido ao ciclone tropical e à maré astronómica, prevê-se a inundação das zonas baixas ao longo do Porto " +
          `Interior, com a água ${level.depth.pt} acima do nível da estrada. O nível mais alto é esperado por volta da ` +
          "preia-mar.",
        en:
          "Because of the tropical cyclone and the astronomical tide, the low-lying areas along the Inner Harbour are " +
          `expected to flood, with water ${level.depth.en} above road level. The water is expected to be highest ` +
          "around high tide.",
      },
      instruction: level.instruction,
      eventCodes: [{ valueName: "MO-SMG-storm-surge", value: level.colour }],
      onset: null,
      areas: [{ description: level.area, polygons: [], circles: [], districts: [...level.districts] }],
    },
    expiresInHours: 12,
  };
}

// ---- Rainstorm and thunderstorm ----------------------------------------------------------------------------------

const RAINSTORM: readonly AlertTemplate[] = [
  {
    id: "rainstorm-yellow",
    group: "rainstorm",
    name: { "zh-Hant": "黃色暴雨警告", pt: "Sinal amarelo de chuva intensa", en: "Yellow rainstorm warning" },
    content: {
      categories: ["Met"],
      responseTypes: ["Prepare", "Monitor"],
      urgency: "Expected",
      severity: "Moderate",
      certainty: "Likely",
      event: { "zh-Hant": "黃色暴雨警告信號", pt: "Sinal amarelo de chuva intensa", en: "Yellow Rainstorm Signal" },
      headline: {
        "zh-Hant": "氣象局已發出黃色暴雨警告信號",
        pt: "Emitido o sinal amarelo de chuva intensa",
        en: "Yellow Rainstorm Signal issued",
      },
      description: {
        "zh-Hant": "澳門已錄得或預料有大雨，並可能持續，低窪地區可能出現水浸。",
        pt: "Registou-se ou prevê-se chuva forte em Macau, que poderá persistir; as zonas baixas poderão ficar inundadas.",
        en: "Heavy rain has fallen or is expected in Macao and may continue; low-lying areas may flood.",
      },
      instruction: {
        "zh-Hant": "駕駛人士應減速慢駛。低窪地區居民應提防水浸；請避免前往山坡及溪澗。請留意氣象局的最新消息。",
        pt:
          "Os condutores devem reduzir a velocidade. Os moradores das zonas baixas devem precaver-se contra " +
          "inundações; evite encostas e ribeiros. Acompanhe as informações dos SMG.",
        en:
          "Drivers should slow down. Residents of low-lying areas should guard against flooding; keep away from " +
          "slopes and streams. Follow SMG's updates.",
      },
      eventCodes: [{ valueName: "MO-SMG-rainstorm", value: "yellow" }],
      onset: null,
      areas: [allOfMacao()],
    },
    expiresInHours: 6,
  },
  {
    id: "rainstorm-red",
    group: "rainstorm",
    name: { "zh-Hant": "紅色暴雨警告", pt: "Sinal vermelho de chuva intensa", en: "Red rainstorm warning" },
    content: {
      categories: ["Met"],
      responseTypes: ["Shelter", "Avoid"],
      urgency: "Immediate",
      severity: "Severe",
      certainty: "Likely",
      event: { "zh-Hant": "紅色暴雨警告信號", pt: "Sinal vermelho de chuva intensa", en: "Red Rainstorm Signal" },
      headline: {
        "zh-Hant": "氣象局已發出紅色暴雨警告信號：澳門有非常大雨",
        pt: "Emitido o sinal vermelho de chuva intensa: chuva muito forte em Macau",
        en: "Red Rainstorm Signal issued: very heavy rain in Macao",
      },
      description: {
        "zh-Hant": "澳門正受非常大雨影響，並可能持續，多處地區可能出現嚴重水浸，山坡有山泥傾瀉的危險。",
        pt:
          "Macau está sob chuva muito forte, que poderá persistir; várias zonas poderão sofrer inundações graves e há " +
          "risco de deslizamentos de terras nas encostas.",
        en:
          "Very heavy rain is falling in Macao and may continue; serious flooding is possible in many places and " +
          "there is a risk of landslides on slopes.",
      },
      instruction: {
        "zh-Hant":
          "請留在安全的室內地方，非必要不應外出。切勿涉水或駕車駛過水浸道路，遠離山坡及排水道。僱主應作出彈性上班安排。",
        pt:
          "Fique num local seguro dentro de casa e só saia se for indispensável. Não atravesse a pé nem de carro ruas " +
          "inundadas e afaste-se de encostas e canais de drenagem. Os empregadores devem adoptar horários flexíveis.",
        en:
          "Stay indoors in a safe place and go out only if you must. Do not walk or drive through flooded roads, and " +
          "keep away from slopes and drainage channels. Employers should make flexible working arrangements.",
      },
      eventCodes: [{ valueName: "MO-SMG-rainstorm", value: "red" }],
      onset: null,
      areas: [allOfMacao()],
    },
    expiresInHours: 6,
  },
  {
    id: "rainstorm-black",
    group: "rainstorm",
    name: { "zh-Hant": "黑色暴雨警告", pt: "Sinal preto de chuva intensa", en: "Black rainstorm warning" },
    content: {
      categories: ["Met"],
      responseTypes: ["Shelter", "Avoid"],
      urgency: "Immediate",
      severity: "Extreme",
      certainty: "Observed",
      event: { "zh-Hant": "黑色暴雨警告信號", pt: "Sinal preto de chuva intensa", en: "Black Rainstorm Signal" },
      headline: {
        "zh-Hant": "氣象局已發出黑色暴雨警告信號：澳門有極大雨",
        pt: "Emitido o sinal preto de chuva intensa: chuva extremamente forte em Macau",
        en: "Black Rainstorm Signal issued: extremely heavy rain in Macao",
      },
      description: {
        "zh-Hant": "澳門正受極大雨影響，多處地區已出現嚴重水浸，山泥傾瀉及樹木倒塌的危險極高。",
        pt:
          "Macau está sob chuva extremamente forte; várias zonas já estão gravemente inundadas e o risco de " +
          "deslizamentos de terras e de queda de árvores é muito elevado.",
        en:
          "Extremely heavy rain is falling in Macao; many places are already seriously flooded and the risk of " +
          "landslides and falling trees is very high.",
      },
      instruction: {
        "zh-Hant":
          "請立即留在安全的室內地方，切勿外出。身處戶外者應即時前往安全的地方暫避。如被水浸圍困，請前往高處並致電 999。",
        pt:
          "Fique já num local seguro dentro de casa e não saia. Quem estiver na rua deve abrigar-se de imediato num " +
          "local seguro. Se ficar cercado pela água, suba para um local alto e ligue 999.",
        en:
          "Stay indoors in a safe place now and do not go out. Anyone outdoors should take shelter in a safe place " +
          "at once. If trapped by flood water, get to higher ground and call 999.",
      },
      eventCodes: [{ valueName: "MO-SMG-rainstorm", value: "black" }],
      onset: null,
      areas: [allOfMacao()],
    },
    expiresInHours: 6,
  },
];

const THUNDERSTORM: AlertTemplate = {
  id: "thunderstorm",
  group: "thunderstorm",
  name: { "zh-Hant": "雷暴警告", pt: "Aviso de trovoada", en: "Thunderstorm warning" },
  content: {
    categories: ["Met"],
    responseTypes: ["Shelter", "Avoid"],
    urgency: "Expected",
    severity: "Moderate",
    certainty: "Likely",
    event: { "zh-Hant": "雷暴警告", pt: "Aviso de trovoada", en: "Thunderstorm Warning" },
    headline: {
      "zh-Hant": "氣象局已發出雷暴警告",
      pt: "Emitido o aviso de trovoada",
      en: "Thunderstorm warning issued",
    },
    description: {
      "zh-Hant": "預料未來數小時澳門會有雷暴，並可能伴隨驟雨及狂風。",
      pt: "Prevê-se trovoada em Macau nas próximas horas, que poderá ser acompanhada de aguaceiros e rajadas de vento.",
      en: "Thunderstorms are expected in Macao in the next few hours, possibly with showers and squalls.",
    },
    instruction: {
      "zh-Hant":
        "請留在室內或前往安全的建築物內暫避，遠離空曠地方、高地、樹木及金屬物件。正進行戶外或水上活動的人士應立即停止。",
      pt:
        "Fique dentro de casa ou abrigue-se num edifício seguro, longe de espaços abertos, pontos altos, árvores e " +
        "objectos metálicos. Quem estiver a praticar actividades ao ar livre ou aquáticas deve pará-las de imediato.",
      en:
        "Stay indoors or shelter in a safe building, away from open spaces, high ground, trees and metal objects. " +
        "Anyone doing outdoor or water activities should stop at once.",
    },
    eventCodes: [{ valueName: "MO-SMG-thunderstorm", value: "warning" }],
    onset: null,
    areas: [allOfMacao()],
  },
  expiresInHours: 3,
};

// ---- Civil protection --------------------------------------------------------------------------------------------

const CPOC_EVENT = "MO-CPOC-event";

const CIVIL_PROTECTION: readonly AlertTemplate[] = [
  {
    id: "fire",
    group: "fire",
    name: { "zh-Hant": "火警", pt: "Incêndio", en: "Fire" },
    content: {
      categories: ["Fire"],
      responseTypes: ["Avoid", "Shelter"],
      urgency: "Immediate",
      severity: "Severe",
      certainty: "Observed",
      event: { "zh-Hant": "火警", pt: "Incêndio", en: "Fire" },
      headline: {
        "zh-Hant": "火警：請遠離有關地區",
        pt: "Incêndio: afaste-se da zona afectada",
        en: "Fire: keep away from the area",
      },
      description: {
        "zh-Hant": "以下地區發生火警，消防局人員正在現場灌救，附近有大量濃煙，部分道路已實施封閉。",
        pt:
          "Deflagrou um incêndio na zona indicada. O Corpo de Bombeiros está no local a combater as chamas; há muito " +
          "fumo nas imediações e algumas vias estão cortadas ao trânsito.",
        en:
          "A fire has broken out in the area shown. The Fire Services Bureau is fighting it; there is heavy smoke " +
          "nearby and some roads are closed.",
      },
      instruction: {
        "zh-Hant":
          "請遠離現場，讓救援車輛通行。附近居民請關閉門窗；如感到不適，請立即求醫。如被困，請致電 999，用濕毛巾掩住口鼻並留在安全位置等候救援。",
        pt:
          "Afaste-se do local e deixe passar os veículos de socorro. Quem mora perto deve fechar portas e janelas e, " +
          "se se sentir mal, procurar assistência médica. Se ficar retido, ligue 999, cubra o nariz e a boca com um " +
          "pano molhado e aguarde socorro num local seguro.",
        en:
          "Keep away from the scene and let emergency vehicles through. People nearby should close doors and " +
          "windows and seek medical help if they feel unwell. If trapped, call 999, cover your nose and mouth with a " +
          "wet cloth and wait for rescue somewhere safe.",
      },
      eventCodes: [{ valueName: CPOC_EVENT, value: "fire" }],
      onset: null,
      areas: [],
    },
    expiresInHours: 6,
  },
  {
    id: "public-security",
    group: "public-security",
    name: { "zh-Hant": "公共安全事件", pt: "Incidente de segurança pública", en: "Public security incident" },
    content: {
      categories: ["Security"],
      responseTypes: ["Avoid", "Shelter"],
      urgency: "Immediate",
      severity: "Severe",
      certainty: "Observed",
      event: {
        "zh-Hant": "公共安全事件",
        pt: "Incidente de segurança pública",
        en: "Public Security Incident",
      },
      headline: {
        "zh-Hant": "公共安全事件：請避開有關地區並聽從警方指示",
        pt: "Incidente de segurança pública: evite a zona e siga as instruções da polícia",
        en: "Public security incident: avoid the area and follow police instructions",
      },
      description: {
        "zh-Hant": "警方正在以下地區處理一宗公共安全事件，現場已實施交通及人流管制。",
        pt:
          "A polícia está a responder a um incidente de segurança pública na zona indicada, onde estão em vigor " +
          "restrições ao trânsito e à circulação de peões.",
        en:
          "The police are responding to a public security incident in the area shown; traffic and pedestrian " +
          "restrictions are in place.",
      },
      instruction: {
        "zh-Hant":
          "請避開有關地區並服從現場警務人員的指示。身處附近者請留在室內安全地方，切勿圍觀或拍攝警方行動，不要轉發未經證實的消息。如有緊急情況，請致電 999 或 110。",
        pt:
          "Evite a zona e siga as instruções dos agentes no local. Quem estiver perto deve permanecer num local " +
          "seguro dentro de um edifício, não se aproximar nem filmar a acção policial e não partilhar informações não " +
          "confirmadas. Em caso de emergência, ligue 999 ou 110.",
        en:
          "Avoid the area and follow the instructions of officers at the scene. If you are nearby, stay inside a " +
          "safe building, do not gather to watch or film police operations, and do not share unverified " +
          "information. In an emergency, call 999 or 110.",
      },
      eventCodes: [{ valueName: CPOC_EVENT, value: "public-security" }],
      onset: null,
      areas: [],
    },
    expiresInHours: 6,
  },
  {
    id: "all-clear",
    group: "all-clear",
    name: { "zh-Hant": "解除警報", pt: "Fim do alerta", en: "All clear" },
    content: {
      categories: ["Safety"],
      responseTypes: ["AllClear"],
      urgency: "Past",
      severity: "Minor",
      certainty: "Observed",
      event: { "zh-Hant": "解除警報", pt: "Fim do alerta", en: "All Clear" },
      headline: {
        "zh-Hant": "民防行動中心宣布解除警報",
        pt: "O Centro de Operações de Protecção Civil anuncia o fim do alerta",
        en: "The Civil Protection Operations Centre gives the all clear",
      },
      description: {
        "zh-Hant": "有關威脅已經解除，民防架構已結束相關應變行動。部分地區仍在進行清理及搶修工作。",
        pt:
          "A ameaça terminou e a estrutura de protecção civil encerrou as operações de resposta. Em algumas zonas " +
          "prosseguem os trabalhos de limpeza e reparação.",
        en:
          "The threat is over and the civil protection structure has ended its response operations. Clean-up and " +
          "repair work continues in some areas.",
      },
      instruction: {
        "zh-Hant":
          "外出時請留意路面雜物、倒塌的樹木及損毀的設施，並遵從清理現場工作人員的指示。如發現危險情況，請致電 999 或政府熱線報告。",
        pt:
          "Ao sair, tenha cuidado com detritos, árvores caídas e estruturas danificadas e siga as instruções das " +
          "equipas de limpeza. Se encontrar uma situação perigosa, comunique-a pelo 999 ou pela linha aberta do " +
          "Governo.",
        en:
          "When going out, watch for debris, fallen trees and damaged structures and follow the instructions of " +
          "clean-up crews. Report anything dangerous on 999 or the Government hotline.",
      },
      eventCodes: [{ valueName: CPOC_EVENT, value: "all-clear" }],
      onset: null,
      areas: [allOfMacao()],
    },
    expiresInHours: 2,
  },
];

export const TEMPLATES: readonly AlertTemplate[] = [
  ...TROPICAL_CYCLONE,
  ...SURGE_LEVELS.map(stormSurge),
  ...RAINSTORM,
  THUNDERSTORM,
  ...CIVIL_PROTECTION,
];

/** A fresh draft's content (a deep copy: editing it never changes the template). */
export function contentFromTemplate(template: AlertTemplate, now: Date): AlertContent {
  const content = structuredClone(template.content);
  return {
    ...content,
    templateId: template.id,
    incidentId: null,
    expires: new Date(now.getTime() + template.expiresInHours * 3600_000).toISOString(),
  };
}

/**
 * The template an alert drafted from an incident starts from when the drafter picks none, by the correlator's
 * incident kind; public security for any other kind or none. Floods start at the lowest storm-surge level: the
 * drafter raises it with the measured water depth.
 */
const TEMPLATE_FOR_INCIDENT_KIND: Readonly<Record<string, string>> = {
  fire: "fire",
  flood: "storm-surge-blue",
};
const DEFAULT_TEMPLATE_ID = "public-security";

export function templateForIncidentKind(kind: string | undefined): AlertTemplate {
  const id = (kind !== undefined && TEMPLATE_FOR_INCIDENT_KIND[kind]) || DEFAULT_TEMPLATE_ID;
  const template = TEMPLATES.find((candidate) => candidate.id === id);
  if (!template) throw new Error(`template ${id} is missing`);
  return template;
}
