"""Reviewed tables for data/build_programs.py: each research row's stable, reviewed program id."""

from __future__ import annotations

Key = tuple[str, str]

# Stable, short, human-chosen ids, keyed by (university, program_name). Explicit so an id
# never changes when a research row is reworded, and so every new row gets a reviewed id.
IDS: dict[Key, str] = {
    ("Duke University", "Master of Engineering Management (Campus)"): "duke-mem-campus",
    ("Duke University", "Duke MEM Online"): "duke-mem-online",
    ("Dartmouth College (Thayer School of Engineering)", "Master of Engineering Management"): "dartmouth-mem",
    (
        "Northwestern University (McCormick School of Engineering)",
        "Master of Engineering Management",
    ): "northwestern-mem",
    ("Cornell University", "Master of Engineering in Engineering Management (On-Campus)"): "cornell-meng-em-campus",
    (
        "Cornell University",
        "Master of Engineering in Engineering Management (Online Learning)",
    ): "cornell-meng-em-online",
    (
        "Johns Hopkins University (Whiting School of Engineering)",
        "Master of Science in Engineering Management (residential)",
    ): "jhu-msem-residential",
    (
        "Johns Hopkins University (Whiting School of Engineering)",
        "MSEM Home to Hopkins (online 2+0 / partially online 1+1)",
    ): "jhu-msem-home-to-hopkins",
    (
        "Johns Hopkins University (Engineering for Professionals)",
        "Engineering Management (part-time, online)",
    ): "jhu-ep-em-online",
    ("Tufts University (Gordon Institute)", "MS in Engineering Management (MSEM)"): "tufts-msem",
    ("University of Southern California (Viterbi School of Engineering)", "MS in Engineering Management"): "usc-ms-em",
    (
        "Purdue University",
        "Master of Engineering Management (MS in Engineering, major Engineering Management)",
    ): "purdue-mem",
    ("Massachusetts Institute of Technology", "System Design and Management (SDM) master's"): "mit-sdm",
    ("Rowan University", "Master of Engineering Management (online)"): "rowan-mem-online",
    ("University of Tennessee Space Institute", "Engineering Management master's (100% distance)"): "utsi-em-online",
    (
        "Ohio University (Russ College of Engineering and Technology)",
        "Master of Engineering Management",
    ): "ohio-u-mem-online",
    (
        "Stevens Institute of Technology",
        "Master of Engineering in Engineering Management (online)",
    ): "stevens-meng-em-online",
    ("Florida Institute of Technology", "Master of Science in Engineering Management"): "fit-ms-em",
    ("George Washington University", "Online Master of Science in Engineering Management"): "gwu-ms-em-online",
    ("George Washington University", "Master of Science in Engineering Management (on-campus)"): "gwu-ms-em-campus",
    ("Old Dominion University", "Master of Engineering Management"): "odu-mem",
    (
        "University of San Diego",
        "Master of Science in Engineering Management and Leadership (online)",
    ): "usd-ms-eml-online",
    ("Santa Clara University", "MS in Engineering Management and Leadership"): "scu-ms-eml",
    ("Northeastern University", "Engineering Management, MSEM"): "northeastern-msem",
    (
        "Rice University (George R. Brown School of Engineering)",
        "Online Master of Engineering Management & Leadership (MEML)",
    ): "rice-meml-online",
    (
        "University of Colorado Boulder",
        "Master of Engineering in Engineering Management (Engineering Management Program)",
    ): "cu-boulder-me-em",
    ("University of British Columbia", "Master of Engineering Leadership (MEL)"): "ubc-mel",
    (
        "Hong Kong University of Science and Technology",
        "Master of Science in Technology Leadership and Entrepreneurship (MSc(TLE))",
    ): "hkust-msc-tle",
    ("City University of Hong Kong", "Master of Science in Engineering Management (MSEM)"): "cityu-msem",
    ("Syracuse University", "Master of Science in Engineering Management"): "syracuse-ms-em",
    ("Kettering University", "MS in Engineering Management"): "kettering-ms-em",
    ("University of Melbourne", "Master of Engineering Management (761EM)"): "melbourne-mem",
    (
        "University of Wisconsin-Madison",
        "Master of Engineering (named option: Engineering Management)",
    ): "uw-madison-meng-em",
    ("Western New England University", "Master of Science in Engineering Management"): "wne-ms-em",
    (
        "University of Tennessee, Knoxville (Tickle College of Engineering)",
        "Online master's in engineering management",
    ): "utk-ms-em-online",
    ("Delft University of Technology", "MSc Management of Technology (MOT)"): "tu-delft-msc-mot",
    (
        "University of Kansas (School of Engineering)",
        "Master of Science in Engineering Management (EMGT)",
    ): "ku-ms-emgt",
    ("University of Dayton (School of Engineering)", "MS in Engineering Management"): "dayton-ms-em",
    (
        "National University of Singapore (ISEM)",
        "Master of Science (Management of Technology and Innovation) (MOTI)",
    ): "nus-msc-moti",
    ("University of Auckland", "Master of Engineering Management (MEMgt)"): "auckland-memgt",
    (
        "Purdue University",
        "MS in Interdisciplinary Engineering (online), Engineering Management and Leadership concentration",
    ): "purdue-msie-em-online",
    ("Florida Polytechnic University", "Master of Science in Engineering Management"): "florida-poly-ms-em",
    ("San José State University", "MS Engineering Management"): "sjsu-ms-em",
    (
        "California State University, Long Beach",
        "Master of Science in Engineering Management (self-support; proposed for Fall 2016)",
    ): "csulb-ms-em",
    ("Missouri University of Science and Technology", "Master of Science in Engineering Management"): "mst-ms-em",
    ("Drexel University", "MS in Engineering Management"): "drexel-ms-em",
    (
        "The University of Texas at Dallas",
        "MS in Systems Engineering and Management (MS-SEM; traditional, professional and executive formats)",
    ): "utd-ms-sem",
    ("Georgia Institute of Technology", "Professional Master's in Applied Systems Engineering (PMASE)"): "gatech-pmase",
    ("Stanford University", "MS in Management Science and Engineering"): "stanford-ms-mse",
    (
        "Columbia University (Fu Foundation School of Engineering and Applied Science)",
        "MS in Management Science and Engineering",
    ): "columbia-ms-mse",
    ("Lehigh University", "Master of Engineering in Technical Entrepreneurship"): "lehigh-meng-te",
    (
        "The Ohio State University (College of Engineering)",
        "Master of Engineering Management (online)",
    ): "osu-mem-online",
    ("Embry-Riddle Aeronautical University (Worldwide)", "Master of Systems Engineering (MSysE)"): "erau-msyse",
    (
        "University of Waterloo (Department of Management Sciences)",
        "Master of Management Sciences (MMSc), incl. online Management of Technology",
    ): "waterloo-mmsc",
    ("Toronto Metropolitan University", "Master of Engineering Innovation and Entrepreneurship"): "tmu-meng-ie",
    ("Loughborough University", "MSc Engineering Management"): "loughborough-msc-em",
    (
        "University of Strathclyde (coordinator, with Aalborg University, Hamburg University of Technology "
        "and Swinburne University of Technology)",
        "Erasmus Mundus Joint MSc in Global Innovation Management (GIM)",
    ): "strathclyde-gim",
    ("Aalborg University", "MSc in Engineering (Global Innovation Management)"): "aalborg-msc-gim",
    (
        "Technical University of Munich (TUM School of Management)",
        "Master in Management (M.Sc., main location Munich)",
    ): "tum-msc-management",
    ("University of Utah", "Master of Engineering Management (MEM)"): "utah-mem",
    ("Eastern Michigan University", "Master of Science in Engineering Management (MEM)"): "emu-ms-em",
    (
        "Washington State University (Voiland College of Engineering and Architecture)",
        "Master of Engineering and Technology Management (METM)",
    ): "wsu-metm",
    (
        "Pennsylvania State University",
        "Engineering Design and Innovation (EDI) M.Eng./M.S. (formerly Engineering Design)",
    ): "psu-edi",
    ("Saint Martin's University", "Master of Engineering Management (MEM)"): "saint-martins-mem",
    ("Utah Valley University", "MS in Engineering and Technology Management (MS-ETM)"): "uvu-ms-etm",
    # Rows 66-120 (third research pass).
    (
        "Rensselaer Polytechnic Institute",
        "Master of Engineering in Systems Engineering and Technology Management (SETM)",
    ): "rpi-meng-setm",
    ("Rensselaer Polytechnic Institute", "MS and MEng in Industrial and Management Engineering (IME)"): "rpi-ime",
    (
        "Rutgers, The State University of New Jersey",
        "Master of Business and Science (MBS), Engineering Management concentration",
    ): "rutgers-mbs-em",
    (
        "Rochester Institute of Technology (Kate Gleason College of Engineering)",
        "Master of Engineering in Engineering Management",
    ): "rit-meng-em",
    ("Drexel University (College of Engineering)", "MS in Construction Management"): "drexel-ms-cm",
    ("New York University (Tandon School of Engineering)", "MS in Construction Management"): "nyu-ms-cm",
    ("New York University (Tandon School of Engineering)", "MS in Management of Technology (MOT)"): "nyu-ms-mot",
    (
        "Temple University (College of Engineering)",
        "MS in Engineering Management (incl. Temple Rome start option from September 2025)",
    ): "temple-ms-em",
    ("Stevens Institute of Technology (School of Business)", "MS in Technology Management (MSTM)"): "stevens-mstm",
    ("Clemson University", "Master of Construction Science and Management (MCSM)"): "clemson-mcsm",
    ("University of Louisville", "Master of Engineering in Engineering Management (MEng)"): "louisville-meng-em",
    ("Carolina University", "Master of Science in Engineering Management (MSEM)"): "carolina-u-msem",
    (
        "Western Carolina University (College of Engineering and Technology)",
        "Master of Construction Management (MCM)",
    ): "wcu-mcm",
    (
        "University of North Carolina at Charlotte (William States Lee College of Engineering)",
        "Master of Science in Engineering Management (MSEM)",
    ): "uncc-msem",
    (
        "Oklahoma State University (School of Industrial Engineering and Management)",
        "Master of Industrial Engineering and Management (MIEM)",
    ): "okstate-miem",
    (
        "Lipscomb University (Raymond B. Jones College of Engineering)",
        "Master of Management: Engineering (MM: Engineering)",
    ): "lipscomb-mm-engineering",
    (
        "The University of Texas at Austin (Cockrell School of Engineering)",
        "Master of Science in Engineering Management (MEM)",
    ): "ut-austin-msem",
    (
        "The University of Texas at Tyler (College of Engineering)",
        "Master of Science in Engineering Leadership (MSEL)",
    ): "ut-tyler-msel",
    ("The University of Texas at Arlington", "Master of Science in Systems Engineering"): "uta-msse",
    (
        "Texas A&M University (College of Engineering)",
        "Master of Engineering in Technical Management (METM)",
    ): "tamu-metm",
    ("Texas Tech University", "Master of Science in Systems and Engineering Management (online)"): "ttu-ms-sem-online",
    (
        "Southern Methodist University (Lyle School of Engineering)",
        "MS in Systems Engineering (Operations Research and Engineering Management Department)",
    ): "smu-ms-se",
    (
        "Wayne State University (College of Engineering)",
        "MS in Engineering Management (on-campus MSEM and Engineering Management Master's Program, EMMP)",
    ): "wayne-state-msem",
    (
        "Michigan Technological University (College of Business)",
        "Master of Engineering Management (MEM, online)",
    ): "mtu-mem-online",
    ("Oakland University", "Master of Engineering Management (MS)"): "oakland-mem",
    (
        "Wichita State University (Department of Industrial and Manufacturing Engineering)",
        "Master of Engineering Management (MEM)",
    ): "wichita-state-mem",
    (
        "Wichita State University (Barton School of Business with the College of Engineering)",
        "MS in Management Science and Supply Chain Management (MSSCM)",
    ): "wichita-state-msscm",
    (
        "University of Minnesota (Technological Leadership Institute)",
        "Master of Science in Management of Technology (MOT)",
    ): "umn-ms-mot",
    (
        "Northwestern University (McCormick School of Engineering)",
        "Master of Science in Project Management (MPM)",
    ): "northwestern-mpm",
    (
        "Portland State University (Maseeh College of Engineering and Computer Science)",
        "Master's in Engineering and Technology Management (ETM)",
    ): "pdx-etm",
    ("University of Arizona (Systems and Industrial Engineering)", "MS in Engineering Management"): "arizona-ms-em",
    ("Montana State University", "MS in Industrial and Management Systems Engineering (IMSE)"): "montana-state-ms-imse",
    (
        "Arizona State University (School of Sustainable Engineering and the Built Environment)",
        "MS in Construction Management",
    ): "asu-ms-cm",
    ("Colorado School of Mines", "Professional Masters in Mining Engineering and Management (MP-MEM)"): "mines-mp-mem",
    (
        "Memorial University of Newfoundland (Faculty of Engineering and Applied Science)",
        "Master of Engineering Management (MEM)",
    ): "mun-mem",
    (
        "University of Alberta (Faculty of Engineering)",
        "Master of Engineering / Master of Science in Engineering Management",
    ): "ualberta-em",
    (
        "University of Windsor (Faculty of Engineering with the Odette School of Business)",
        "Master of Engineering Management (MEM)",
    ): "uwindsor-mem",
    (
        "Carleton University",
        "Technology Innovation Management (TIM) program (MEng project option / MASc thesis option)",
    ): "carleton-tim",
    ("Middlesex University", "MSc Engineering Project Management"): "middlesex-msc-epm",
    (
        "University of Sussex (Department of Engineering and Design)",
        "MSc Engineering Business Management",
    ): "sussex-msc-ebm",
    (
        "ETH Zurich (Department of Management, Technology, and Economics)",
        "MSc ETH in Management, Technology, and Economics (MSc MTEC)",
    ): "ethz-msc-mtec",
    (
        "EPFL (College of Management of Technology)",
        "Master in Management, Technology and Entrepreneurship (MTE)",
    ): "epfl-mte",
    (
        "KTH Royal Institute of Technology",
        "Master's Programme in Industrial Engineering and Management (TIEMM)",
    ): "kth-tiemm",
    ("KTH Royal Institute of Technology", "Master's Programme in Industrial Management (TINEM)"): "kth-tinem",
    (
        "Politecnico di Milano (School of Industrial and Information Engineering)",
        "Laurea Magistrale (MSc) in Management Engineering",
    ): "polimi-msc-me",
    (
        "Chalmers University of Technology",
        "Master's Programme in Management and Economics of Innovation",
    ): "chalmers-msc-mei",
    (
        "Chalmers University of Technology",
        "MSc Entrepreneurship and Business Design (Chalmers School of Entrepreneurship)",
    ): "chalmers-msc-ebd",
    ("University of Twente", "MSc Industrial Engineering and Management (IEM)"): "twente-msc-iem",
    (
        "Eindhoven University of Technology (Department of Industrial Engineering and Innovation Sciences)",
        "Master's Program in Operations Management & Logistics (OML)",
    ): "tue-msc-oml",
    (
        "The Hong Kong Polytechnic University (Department of Industrial and Systems Engineering)",
        "MSc in Industrial Logistics Systems",
    ): "polyu-msc-ils",
    (
        "Nanyang Technological University (Nanyang Technopreneurship Center)",
        "MSc in Technopreneurship and Innovation (MSc TIP)",
    ): "ntu-msc-tip",
    (
        "University of Canterbury (College of Engineering)",
        "Master of Engineering in Management (MEM)",
    ): "canterbury-mem",
    (
        "University of Auckland (Faculty of Engineering)",
        "Master of Engineering Project Management (MEPM)",
    ): "auckland-mepm",
    (
        "Tokyo Institute of Technology (Graduate School of Innovation Management; "
        "now part of Institute of Science Tokyo)",
        "Professional Master's Program, Department of Management of Technology (MOT)",
    ): "tokyo-tech-mot",
    ("KAIST (K-School)", "Master of Entrepreneurship & Innovation"): "kaist-mei",
}
